package org.coalition.gateway.partner;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Picks up edited contracts (a ConfigMap update, a suspended partner) while the gateway runs. Each
 * replica reloads on its own; registering is idempotent, so replicas racing each other is harmless.
 */
@ApplicationScoped
public class ContractReloader {

    private final PartnerDirectory directory;
    private final PartnerRegistrar registrar;
    private volatile boolean registrationPending;

    public ContractReloader(PartnerDirectory directory, PartnerRegistrar registrar) {
        this.directory = directory;
        this.registrar = registrar;
    }

    @Scheduled(every = "${coalition.contracts.reload-interval}", delayed = "${coalition.contracts.reload-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> reloadOnSchedule() {
        return reloadNow();
    }

    public Uni<Void> reloadNow() {
        boolean changed = directory.reload();
        if (!changed && !registrationPending) {
            return Uni.createFrom().voidItem();
        }
        if (changed) {
            Log.infof("Partner contracts changed; %d in force", directory.all().size());
        }
        // Until the changed contracts are registered (a database outage may fail it), every reload tries again:
        // the directory already holds them, so it would not report them changed a second time.
        registrationPending = true;
        return registrar.registerContracts().invoke(() -> registrationPending = false);
    }
}
