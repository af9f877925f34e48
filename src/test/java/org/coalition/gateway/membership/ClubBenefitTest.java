package org.coalition.gateway.membership;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import org.coalition.gateway.ledger.LedgerAudit;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/** A paid club's multiplier is paid on every earn, at any partner, while the membership runs (demo club PLUS: 1.15x). */
@GatewayTest
class ClubBenefitTest {

    static final String EARN = """
            mutation($input: EarnPointsInput!) {
              earnPoints(input: $input) { transaction { points } member { balance } bonuses { campaignId reason points } userErrors { code } }
            }""";

    @Inject
    LedgerAudit audit;

    @Test
    void aClubMemberEarnsTheClubsMultiplierAtEveryPartnerTheOperatorPaying() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        EnrolledMember withoutClub = Fixtures.enroll(FRESHMART);
        PaidMemberships.startOk(FRESHMART, member, "PLUS");
        Map<String, Object> input = Fixtures.earnInput(member, "100.00");

        JsonPath earned = GraphQl.call(Tokens.partner(FUELCO), EARN, Map.of("input", input));
        JsonPath retried = GraphQl.call(Tokens.partner(FUELCO), EARN, Map.of("input", input));
        JsonPath plain = GraphQl.call(Tokens.partner(FUELCO), EARN, Map.of("input", Fixtures.earnInput(withoutClub, "100.00")));

        int base = earned.getInt("data.earnPoints.transaction.points");
        int bonus = (int) Math.floor(base * 0.15);
        assertEquals(List.of(Map.of("reason", "Paid club: 1.15x points", "points", bonus)),
                earned.getList("data.earnPoints.bonuses").stream().map(b -> Map.of("reason", ((Map<?, ?>) b).get("reason"),
                        "points", ((Map<?, ?>) b).get("points"))).toList());
        assertEquals(earned.getList("data.earnPoints.bonuses"), retried.getList("data.earnPoints.bonuses"));
        assertEquals(List.of(), plain.getList("data.earnPoints.bonuses"));
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }
}
