package org.coalition.gateway.settlement;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.membership.PaidMemberships;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;
import org.coalition.gateway.tenancy.TenantSessions;

@GatewayTest
class ReconciliationAndDisputesTest {

    private static final String SUBMIT = """
            mutation($input: SubmitPartnerReportInput!) {
              submitPartnerReport(input: $input) {
                report { id matched missingInLedger { partnerReference kind points } missingInReport { id partnerReference }
                         mismatched { partnerReference reportedPoints ledgerPoints transaction { id } } partner { id } }
                userErrors { code field message }
              }
            }""";
    private static final String DISPUTE = """
            mutation($input: DisputeSettlementRecordInput!) {
              disputeSettlementRecord(input: $input) { dispute { id status reason raisedBy { id } record { id amount disputed } }
                                                       userErrors { code field message } }
            }""";
    private static final String RESOLVE = """
            mutation($input: ResolveDisputeInput!) {
              resolveDispute(input: $input) { dispute { id status adjustment { kind amount debtor { id } creditor { id } } }
                                              userErrors { code field message } }
            }""";

    @Inject
    TenantSessions sessions;

    @Test
    void aPartnersReportIsMatchedAgainstTheLedger() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String tag = UUID.randomUUID().toString().substring(0, 8);
        earn(member, "10.00", "R1-" + tag);
        earn(member, "20.00", "R2-" + tag);
        Map<String, Object> redeem = Fixtures.redeemInput(member, 5);
        redeem.put("partnerReference", "R3-" + tag);
        String redemptionId = Fixtures.redeem(FRESHMART, redeem).getString("data.redeemPoints.transaction.id");

        JsonPath result = GraphQl.call(Tokens.partner(FRESHMART), SUBMIT, Map.of("input", Map.of(
                "idempotencyKey", Fixtures.key(), "periodId", periodContainingNow(),
                "lines", List.of(line("R1-" + tag, "EARN", 15), line("R2-" + tag, "EARN", 31), line("R9-" + tag, "EARN", 5)))));

        assertEquals(List.of(), result.getList("data.submitPartnerReport.userErrors"));
        assertTrue(result.getInt("data.submitPartnerReport.report.matched") >= 1);
        assertTrue(result.getList("data.submitPartnerReport.report.missingInLedger").contains(
                Map.of("partnerReference", "R9-" + tag, "kind", "EARN", "points", 5)), result.prettify());
        assertTrue(result.getList("data.submitPartnerReport.report.mismatched.partnerReference").contains("R2-" + tag));
        assertTrue(result.getList("data.submitPartnerReport.report.missingInReport.id").contains(redemptionId));
        String reportId = result.getString("data.submitPartnerReport.report.id");
        assertEquals("freshmart", GraphQl.call(Tokens.settlement(), "query($id: ID!) { reconciliation(id: $id) { partner { id } } }",
                Map.of("id", reportId)).getString("data.reconciliation.partner.id"));
        assertNull(GraphQl.call(Tokens.partner(FUELCO), "query($id: ID!) { reconciliation(id: $id) { id } }",
                Map.of("id", reportId)).get("data.reconciliation"), "another partner cannot read it");
    }

    @Test
    void anAcceptedDisputeAddsAnAdjustmentForTheDifference() {
        String recordId = crossBrandRedemptionRecord();

        JsonPath raised = GraphQl.call(Tokens.partner(FRESHMART), DISPUTE, Map.of("input",
                Map.of("idempotencyKey", Fixtures.key(), "recordId", recordId, "reason", "Wrong redemption value")));
        assertEquals("OPEN", raised.getString("data.disputeSettlementRecord.dispute.status"));
        assertEquals(true, raised.getBoolean("data.disputeSettlementRecord.dispute.record.disputed"));
        String disputeId = raised.getString("data.disputeSettlementRecord.dispute.id");
        BigDecimal amount = new BigDecimal(raised.getString("data.disputeSettlementRecord.dispute.record.amount"));
        assertEquals("INVALID_INPUT", GraphQl.call(Tokens.partner(FRESHMART), DISPUTE, Map.of("input",
                Map.of("idempotencyKey", Fixtures.key(), "recordId", recordId, "reason", "again")))
                .getString("data.disputeSettlementRecord.userErrors[0].code"), "one open dispute per record");

        JsonPath resolved = resolve(disputeId, true, amount.subtract(new BigDecimal("0.10")));

        assertEquals("ACCEPTED", resolved.getString("data.resolveDispute.dispute.status"));
        assertEquals(Map.of("kind", "ADJUSTMENT", "amount", 0.1f, "debtor", Map.of("id", "fuelco"), "creditor", Map.of("id", "freshmart")),
                resolved.getMap("data.resolveDispute.dispute.adjustment"));
        assertEquals("INVALID_INPUT", resolve(disputeId, false, null).getString("data.resolveDispute.userErrors[0].code"));
    }

    @Test
    void aDisputedMembershipFeeIsCorrectedInMoneyOnly() {
        PaidMemberships.startOk(FRESHMART, Fixtures.enroll(FRESHMART), "PLUS");
        String recordId = sessions.asSystem(connection -> connection.preparedQuery(
                        "select id from settlement_records where kind = 'MEMBERSHIP_FEE' and debtor_id = 'freshmart' order by posted_at desc limit 1")
                .execute()).await().indefinitely().iterator().next().getUUID("id").toString();
        String disputeId = GraphQl.call(Tokens.partner(FRESHMART), DISPUTE, Map.of("input",
                        Map.of("idempotencyKey", Fixtures.key(), "recordId", recordId, "reason", "We were charged the old fee")))
                .getString("data.disputeSettlementRecord.dispute.id");

        JsonPath resolved = resolve(disputeId, true, new BigDecimal("40.00"));

        assertEquals(List.of(), resolved.getList("data.resolveDispute.userErrors"), resolved::prettify);
        assertEquals(Map.of("kind", "ADJUSTMENT", "amount", 4.1f, "debtor", Map.of("id", "coalition-operator"),
                "creditor", Map.of("id", "freshmart")), resolved.getMap("data.resolveDispute.dispute.adjustment"),
                "the operator gives back what the fee's share was over");
    }

    @Test
    void onlyPartiesDisputeAndOnlyTheSettlementTeamResolves() {
        String recordId = crossBrandRedemptionRecord();

        assertEquals("RECORD_NOT_FOUND", GraphQl.call(Tokens.partner("greenheart-portal"), DISPUTE, Map.of("input",
                Map.of("idempotencyKey", Fixtures.key(), "recordId", recordId, "reason", "not mine")))
                .getString("data.disputeSettlementRecord.userErrors[0].code"));
        String disputeId = GraphQl.call(Tokens.partner(FUELCO), DISPUTE, Map.of("input",
                        Map.of("idempotencyKey", Fixtures.key(), "recordId", recordId, "reason", "check this")))
                .getString("data.disputeSettlementRecord.dispute.id");
        JsonPath partnerResolving = GraphQl.call(Tokens.partner(FUELCO), RESOLVE, Map.of("input",
                Map.of("idempotencyKey", Fixtures.key(), "disputeId", disputeId, "accept", true, "adjustedAmount", 0)));
        assertEquals("FORBIDDEN", partnerResolving.getString("errors[0].extensions.reason"));
        assertEquals("REJECTED", resolve(disputeId, false, null).getString("data.resolveDispute.dispute.status"));
    }

    private String crossBrandRedemptionRecord() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FRESHMART, member, "100.00");
        String redemptionId = Fixtures.redeem(FUELCO, Fixtures.redeemInput(member, 150)).getString("data.redeemPoints.transaction.id");
        return sessions.asSystem(connection -> connection.preparedQuery("select id from settlement_records where entry_id = $1")
                .execute(Tuple.of(UUID.fromString(redemptionId)))).await().indefinitely().iterator().next().getUUID("id").toString();
    }

    private static JsonPath resolve(String disputeId, boolean accept, BigDecimal amount) {
        Map<String, Object> input = new HashMap<>(Map.of("idempotencyKey", Fixtures.key(), "disputeId", disputeId, "accept", accept));
        input.put("adjustedAmount", amount);
        return GraphQl.call(Tokens.settlement(), RESOLVE, Map.of("input", input));
    }

    private static void earn(EnrolledMember member, String amount, String reference) {
        Map<String, Object> input = Fixtures.earnInput(member, amount);
        input.put("partnerReference", reference);
        assertEquals(List.of(), Fixtures.earn(FRESHMART, input).getList("data.earnPoints.userErrors"));
    }

    private static Map<String, Object> line(String reference, String kind, int points) {
        return Map.of("partnerReference", reference, "kind", kind, "points", points);
    }

    private static String periodContainingNow() {
        Instant now = Instant.now();
        List<Map<String, Object>> periods = GraphQl.call(Tokens.settlement(),
                "{ settlementPeriods(first: 10) { edges { node { id startsAt endsAt } } } }").getList("data.settlementPeriods.edges.node");
        return periods.stream().filter(p -> !Instant.parse((String) p.get("startsAt")).isAfter(now)
                        && Instant.parse((String) p.get("endsAt")).isAfter(now))
                .map(p -> (String) p.get("id")).findFirst().orElseThrow();
    }
}
