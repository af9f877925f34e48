package org.coalition.gateway.settlement;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import org.coalition.gateway.ledger.LedgerAudit;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;

import io.vertx.mutiny.sqlclient.Tuple;

/** Every point that moves leaves a record of who owes whom, written with the transaction itself. */
@GatewayTest
class SettlementRecordsTest {

    @Inject
    TenantSessions sessions;
    @Inject
    LedgerAudit audit;

    record Row(String kind, String debtor, String creditor, int points, BigDecimal amount) {
    }

    @Test
    void anEarnOwesTheOperatorItsIssuePrice() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String earnId = Fixtures.earn(FRESHMART, Fixtures.earnInput(member, "100.00")).getString("data.earnPoints.transaction.id");

        assertEquals(List.of(new Row("ISSUANCE_FEE", "freshmart", "coalition-operator", 150, new BigDecimal("1.5000"))),
                recordsOf(Caller.SYSTEM, earnId));
    }

    @Test
    void aRedemptionAcrossBrandsOwesTheRedeemerPerIssuer() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FRESHMART, member, "100.00");
        Fixtures.earnOk(FUELCO, member, "100.00");
        String redemptionId = Fixtures.redeem(FUELCO, Fixtures.redeemInput(member, 250))
                .getString("data.redeemPoints.transaction.id");

        assertEquals(List.of(
                new Row("REDEMPTION", "freshmart", "fuelco", 150, new BigDecimal("1.3500")),
                new Row("REDEMPTION", "fuelco", "fuelco", 100, new BigDecimal("0.9000"))),
                recordsOf(Caller.SYSTEM, redemptionId), "fuelco's redemption value is 0.009 per point");
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void aPartnerSeesOnlyRecordsItIsAPartyTo() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FRESHMART, member, "100.00");
        String fuelcoEarn = Fixtures.earn(FUELCO, Fixtures.earnInput(member, "10.00")).getString("data.earnPoints.transaction.id");

        assertEquals(List.of(), recordsOf(Caller.partner("freshmart", "test", Set.of()), fuelcoEarn));
        assertEquals(1, recordsOf(Caller.partner("fuelco", "test", Set.of()), fuelcoEarn).size());
    }

    private List<Row> recordsOf(Caller caller, String entryId) {
        return sessions.inTransaction(caller, connection -> connection.preparedQuery("""
                        select kind, debtor_id, creditor_id, points, amount from settlement_records
                        where entry_id = $1 order by debtor_id""").execute(Tuple.of(UUID.fromString(entryId))))
                .map(rows -> {
                    List<Row> found = new ArrayList<>();
                    rows.forEach(row -> found.add(new Row(row.getString("kind"), row.getString("debtor_id"),
                            row.getString("creditor_id"), row.getInteger("points"), row.getBigDecimal("amount"))));
                    return found;
                }).await().indefinitely();
    }
}
