package org.coalition.gateway.expiry;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.ledger.LedgerAudit;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

@GatewayTest
class LotExpiryTest {

    private static final String EXPIRIES = """
            query($ref: MemberRefInput!) {
              member(ref: $ref) {
                balance held available
                transactions(filter: {kinds: [EXPIRY]}) { edges { node { kind points partner { id } } } }
              }
            }""";

    @Inject
    LotExpiry expiry;
    @Inject
    LedgerAudit audit;

    @Test
    void twoGatewaysExpiringAtOnceExpireEachLotExactlyOnce() {
        EnrolledMember member = Fixtures.enroll(FUELCO);
        earnMonthsAgo(member, 13);
        Fixtures.earnOk(FUELCO, member, "10.00");

        Uni.join().all(expiry.expireDue(), expiry.expireDue()).andFailFast().await().indefinitely();
        expiry.expireDue().await().indefinitely();

        JsonPath view = view(member);
        assertEquals(20, view.getInt("data.member.balance"), "the fresh 20 points stay");
        assertEquals(List.of(Map.of("kind", "EXPIRY", "points", -20, "partner", Map.of("id", "fuelco"))),
                view.getList("data.member.transactions.edges.node"));
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void pointsReservedByAHoldDoNotExpireUntilTheHoldIsResolved() {
        EnrolledMember member = Fixtures.enroll(FUELCO);
        earnMonthsAgo(member, 13);
        String holdId = GraphQl.call(Tokens.partner(FRESHMART), """
                        mutation($input: AuthorizeRedemptionInput!) { authorizeRedemption(input: $input) { hold { id } } }""",
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "member", member.ref(), "points", 20)))
                .getString("data.authorizeRedemption.hold.id");

        expiry.expireDue().await().indefinitely();
        assertEquals(20, view(member).getInt("data.member.balance"));

        GraphQl.call(Tokens.partner(FRESHMART), """
                        mutation($input: VoidRedemptionInput!) { voidRedemption(input: $input) { hold { status } } }""",
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "holdId", holdId)));
        expiry.expireDue().await().indefinitely();

        assertEquals(0, view(member).getInt("data.member.balance"));
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    private static void earnMonthsAgo(EnrolledMember member, int months) {
        Map<String, Object> old = Fixtures.earnInput(member, "10.00");
        old.put("occurredAt", Instant.now().atZone(ZoneOffset.UTC).minusMonths(months).toInstant().toString());
        assertEquals(20, Fixtures.earn(FUELCO, old).getInt("data.earnPoints.transaction.points"));
    }

    private static JsonPath view(EnrolledMember member) {
        return GraphQl.call(Tokens.settlement(), EXPIRIES, Map.of("ref", member.ref()));
    }
}
