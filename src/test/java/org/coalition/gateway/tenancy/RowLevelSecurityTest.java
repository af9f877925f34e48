package org.coalition.gateway.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;

import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.ledger.TransactionConnection;
import org.coalition.gateway.ledger.TransactionQuery;
import org.coalition.gateway.ledger.TransactionRepository;
import org.coalition.gateway.shared.Database;
import org.coalition.gateway.shared.PageRequest;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;

/**
 * Tenancy does not rest on the resolvers: PostgreSQL hides other partners' rows even from a query with
 * no partner filter at all, and the caller set on a pooled connection never carries over.
 */
@GatewayTest
class RowLevelSecurityTest {

    private static final Caller FRESHMART = Caller.partner("freshmart", "test", Set.of());
    private static final Caller FUELCO = Caller.partner("fuelco", "test", Set.of());

    @Inject
    TenantSessions sessions;
    @Inject
    TransactionRepository transactions;
    @Inject
    Pool pool;
    @Inject
    Database database;
    @Inject
    Vertx vertx;

    private EnrolledMember member;

    @BeforeEach
    void bothPartnersHaveTransactions() {
        member = Fixtures.enroll(Fixtures.FRESHMART);
        Fixtures.earnOk(Fixtures.FRESHMART, member, "10.00");
        Fixtures.earnOk(Fixtures.FUELCO, member, "10.00");
    }

    @Test
    void aQueryWithoutAnyPartnerFilterStillSeesOnlyTheCallersRows() {
        TransactionConnection seen = sessions.inTransaction(FRESHMART,
                connection -> transactions.page(connection, unfiltered())).await().indefinitely();

        assertFalse(seen.edges().isEmpty());
        assertTrue(seen.edges().stream().allMatch(edge -> edge.node().partnerId().equals("freshmart")));
    }

    @Test
    void readingAnotherPartnersTransactionByIdFindsNothing() {
        UUID freshmartTransaction = UUID.fromString(sessions.inTransaction(FRESHMART,
                connection -> transactions.page(connection, unfiltered())).await().indefinitely().edges().get(0).node().id());

        assertTrue(sessions.inTransaction(FUELCO, connection -> transactions.find(connection, freshmartTransaction))
                .await().indefinitely().isEmpty());
    }

    @Test
    void rawSqlForAnotherPartnersRowsReturnsNone() {
        long foreign = sessions.inTransaction(FRESHMART, connection -> connection
                .query("select (select count(*) from journal_entries where partner_id <> 'freshmart')"
                        + " + (select count(*) from postings where partner_id <> 'freshmart') as foreign_rows").execute())
                .await().indefinitely().iterator().next().getLong("foreign_rows");

        assertEquals(0, foreign);
    }

    @Test
    void aConnectionWithNoCallerSetSeesNoJournalRowsAtAll() {
        long visible = pool.query("select count(*) as n from journal_entries").execute()
                .await().indefinitely().iterator().next().getLong("n");

        assertEquals(0, visible, "fail closed: no caller, no rows");
    }

    @Test
    void interleavedRequestsOfTwoPartnersOnATwoConnectionPoolNeverLeak() {
        Pool twoConnections = Pool.newInstance(PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(2))
                .connectingTo(PgConnectOptions.fromUri(ConfigProvider.getConfig()
                        .getValue("quarkus.datasource.reactive.url", String.class)).setUser("coalition_app"))
                .using(vertx.getDelegate())
                .build());
        TenantSessions narrowSessions = new TenantSessions(database.over(twoConnections));
        try {
            List<Uni<Boolean>> reads = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Caller caller = i % 2 == 0 ? FRESHMART : FUELCO;
                reads.add(narrowSessions.inTransaction(caller, connection -> transactions.page(connection, unfiltered()))
                        .map(page -> !page.edges().isEmpty() && page.edges().stream()
                                .map(edge -> edge.node())
                                .map(PointTransaction::partnerId)
                                .allMatch(caller.partnerId()::equals)));
            }
            List<Boolean> clean = Uni.join().all(reads).andFailFast().await().indefinitely();

            assertEquals(100, clean.size());
            assertTrue(clean.stream().allMatch(Boolean::booleanValue), "a read saw the other partner's rows");
        } finally {
            twoConnections.closeAndAwait();
        }
    }

    private static TransactionQuery unfiltered() {
        return new TransactionQuery(null, null, null, null, null, null, PageRequest.of(100, null));
    }
}
