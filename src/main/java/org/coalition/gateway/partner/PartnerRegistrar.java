package org.coalition.gateway.partner;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.ledger.AccountBook;
import org.coalition.gateway.shared.CoalitionConfig;

/**
 * Writes the loaded contracts to the database at start-up: partner rows, every contract version as it
 * was loaded (settlement and disputes refer to them) and the partners' ledger accounts.
 */
@ApplicationScoped
public class PartnerRegistrar {

    private static final String UPSERT_PARTNER = """
            insert into partners (id, name, kind) values ($1, $2, $3)
            on conflict (id) do update set name = excluded.name, kind = excluded.kind
            """;
    private static final String UPSERT_VERSION = """
            insert into contract_versions (partner_id, version, effective_from, document) values ($1, $2, $3, $4)
            on conflict (partner_id, version) do update
                set effective_from = excluded.effective_from, document = excluded.document, loaded_at = now()
                where contract_versions.document <> excluded.document
            """;

    private final Pool pool;
    private final PartnerDirectory directory;
    private final AccountBook accounts;
    private final CoalitionConfig config;
    private final ObjectMapper json;

    public PartnerRegistrar(Pool pool, PartnerDirectory directory, AccountBook accounts, CoalitionConfig config,
            ObjectMapper json) {
        this.pool = pool;
        this.directory = directory;
        this.accounts = accounts;
        this.config = config;
        this.json = json;
    }

    void onStart(@Observes StartupEvent event) {
        accounts.loadSystemAccounts()
                .flatMap(ignored -> registerOperator())
                .flatMap(ignored -> registerContracts())
                .await().indefinitely();
        Log.infof("Registered %d partner contracts", directory.all().size());
    }

    /** Brings partner rows, contract versions and ledger accounts in line with the contracts in force. */
    public Uni<Void> registerContracts() {
        return Multi.createFrom().iterable(directory.all())
                .onItem().transformToUniAndConcatenate(this::register)
                .collect().last()
                .replaceWithVoid();
    }

    private Uni<Void> registerOperator() {
        String operatorId = config.operator().partnerId();
        return pool.preparedQuery(UPSERT_PARTNER).execute(Tuple.of(operatorId, config.operator().name(), "OPERATOR"))
                .flatMap(ignored -> accounts.openPartnerAccounts(operatorId));
    }

    private Uni<Void> register(PartnerContract contract) {
        Uni<Void> partnerRow = pool.preparedQuery(UPSERT_PARTNER)
                .execute(Tuple.of(contract.id(), contract.name(), contract.kind().name()))
                .replaceWithVoid();
        return partnerRow
                .flatMap(ignored -> Multi.createFrom().iterable(contract.versions())
                        .onItem().transformToUniAndConcatenate(version -> storeVersion(contract.id(), version))
                        .collect().last())
                .flatMap(ignored -> accounts.openPartnerAccounts(contract.id()));
    }

    private Uni<Void> storeVersion(String partnerId, PartnerContract.Version version) {
        JsonObject document = new JsonObject(json.valueToTree(version).toString());
        return pool.preparedQuery(UPSERT_VERSION)
                .execute(Tuple.of(partnerId, version.number(), version.effectiveFrom().atOffset(java.time.ZoneOffset.UTC), document))
                .replaceWithVoid();
    }
}
