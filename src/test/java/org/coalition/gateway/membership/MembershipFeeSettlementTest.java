package org.coalition.gateway.membership;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

import org.coalition.gateway.ledger.LedgerAudit;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/** Membership fees in a closed period: on a database of its own, because it closes the current period. */
@GatewayTest
@TestProfile(MembershipFeeSettlementTest.OwnDatabase.class)
class MembershipFeeSettlementTest {

    public static class OwnDatabase implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coalition.webhooks.points-expiring-lead", "13d");
        }
    }

    private static final String CLOSE = """
            mutation($input: CloseSettlementPeriodInput!) {
              closeSettlementPeriod(input: $input) {
                statements { partner { id } currency amountOwed amountDue net }
                userErrors { code field message }
              }
            }""";

    @Inject
    LedgerAudit audit;

    @Test
    void membershipFeesAndRefundsAreNettedInTheClosedPeriodAndNetsStillSumToZero() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        PaidMemberships.startOk(FRESHMART, member, "PLUS"); // freshmart owes 44.10
        String refunded = PaidMemberships.startOk(FUELCO, Fixtures.enroll(FUELCO), "PLUS"); // 44.10, then back
        PaidMemberships.cancel(Tokens.partner(FUELCO), refunded);
        PaidMemberships.startOk(FUELCO, member, "DRIVE"); // fuelco owes 4.99 - 0.998 = 3.992

        JsonPath closed = GraphQl.call(Tokens.settlement(), CLOSE,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "periodId", openPeriod())));

        assertEquals(List.of(), closed.getList("data.closeSettlementPeriod.userErrors"));
        List<Map<String, Object>> statements = closed.getList("data.closeSettlementPeriod.statements");
        assertEquals(0, statements.stream().map(s -> new BigDecimal(s.get("net").toString()))
                .reduce(BigDecimal.ZERO, BigDecimal::add).signum(), "nets sum to zero");
        // freshmart: the 44.10 of its membership fee
        assertEquals(0, new BigDecimal("44.10").compareTo(amount(statements, "freshmart", "amountOwed")));
        // the operator: 44.10 + 44.10 + 3.992 due, 44.10 refunded
        assertEquals(0, new BigDecimal("92.192").compareTo(amount(statements, "coalition-operator", "amountDue")));
        assertEquals(0, new BigDecimal("44.10").compareTo(amount(statements, "coalition-operator", "amountOwed")));
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    private static BigDecimal amount(List<Map<String, Object>> statements, String partner, String field) {
        return statements.stream().filter(s -> partner.equals(((Map<?, ?>) s.get("partner")).get("id")))
                .map(s -> new BigDecimal(s.get(field).toString())).findFirst().orElseThrow();
    }

    private static String openPeriod() {
        List<Map<String, Object>> periods = GraphQl.call(Tokens.settlement(),
                "{ settlementPeriods(first: 5) { edges { node { id status } } } }").getList("data.settlementPeriods.edges.node");
        return periods.stream().filter(p -> "OPEN".equals(p.get("status"))).reduce((newer, older) -> older)
                .map(p -> (String) p.get("id")).orElseThrow();
    }
}
