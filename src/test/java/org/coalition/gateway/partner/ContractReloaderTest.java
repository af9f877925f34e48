package org.coalition.gateway.partner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import jakarta.enterprise.inject.Vetoed;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;

/** A contract change that could not be registered (the database was down) is registered on a later reload. */
class ContractReloaderTest {

    @Test
    void aRegistrationThatFailedIsRetriedOnTheNextReloadThoughNothingChangedSince() {
        ScriptedDirectory directory = new ScriptedDirectory(true, false, false);
        CountingRegistrar registrar = new CountingRegistrar(directory, new IllegalStateException("database unavailable"));
        ContractReloader reloader = new ContractReloader(directory, registrar);

        assertThrows(IllegalStateException.class, () -> reloader.reloadNow().await().indefinitely());
        reloader.reloadNow().await().indefinitely();
        reloader.reloadNow().await().indefinitely();

        assertEquals(2, registrar.calls, "registered once more after the failure, then left alone");
    }

    @Test
    void unchangedContractsAreNotRegisteredAgain() {
        ScriptedDirectory directory = new ScriptedDirectory(false, false);
        CountingRegistrar registrar = new CountingRegistrar(directory, null);
        ContractReloader reloader = new ContractReloader(directory, registrar);

        reloader.reloadNow().await().indefinitely();
        reloader.reloadNow().await().indefinitely();

        assertEquals(0, registrar.calls);
    }

    /** Reports "changed" or not, reload by reload, as scripted. Not a bean: the scope is inherited. */
    @Vetoed
    private static final class ScriptedDirectory extends PartnerDirectory {
        private final Deque<Boolean> changes = new ArrayDeque<>();

        ScriptedDirectory(Boolean... changes) {
            super(List.of());
            this.changes.addAll(List.of(changes));
        }

        @Override
        public synchronized boolean reload() {
            return changes.removeFirst();
        }
    }

    /** Fails its first registration when given a failure, succeeds after; counts every attempt. Not a bean either. */
    @Vetoed
    private static final class CountingRegistrar extends PartnerRegistrar {
        private RuntimeException firstFailure;
        int calls;

        CountingRegistrar(PartnerDirectory directory, RuntimeException firstFailure) {
            super(null, directory, null, null, null);
            this.firstFailure = firstFailure;
        }

        @Override
        public Uni<Void> registerContracts() {
            calls++;
            RuntimeException failure = firstFailure;
            firstFailure = null;
            return failure == null ? Uni.createFrom().voidItem() : Uni.createFrom().failure(failure);
        }
    }
}
