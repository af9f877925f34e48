package org.coalition.gateway.offer;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/** A member's offers: what they can earn now across the coalition, closest first, for their eyes only. */
@GatewayTest
class OfferTest {

    private static final String OPERATOR = Tokens.withRoles("coalition-operator-2", "operator");
    private static final String OFFERS = "{ me { offers { kind id partnerId title description rewardPoints stepsToGo } } }";

    private final List<String[]> campaigns = new ArrayList<>();
    private final List<String> challenges = new ArrayList<>();

    @AfterEach
    void endEverything() {
        campaigns.forEach(c -> GraphQl.call(Tokens.partner(c[0]),
                "mutation($input: SetCampaignStatusInput!) { setCampaignStatus(input: $input) { userErrors { code } } }",
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "id", c[1], "status", "ENDED"))));
        challenges.forEach(id -> GraphQl.call(OPERATOR,
                "mutation($input: EndChallengeInput!) { endChallenge(input: $input) { userErrors { code } } }",
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "id", id))));
    }

    @Test
    void aMemberSeesWhatTheyCanEarnNowClosestFirst() {
        String basket = campaign(FRESHMART, "Weekend basket", Map.of("kind", "BASKET_BONUS", "minimumBasket", new BigDecimal("30"),
                "bonusPoints", 100));
        String firstVisit = campaign(FUELCO, "Welcome to FuelCo", Map.of("kind", "FIRST_VISIT_BONUS", "bonusPoints", 200));
        String forNewcomersOnly = campaign(FUELCO, "Only for members enrolled today", Map.of("kind", "BASKET_BONUS",
                "minimumBasket", new BigDecimal("1"), "bonusPoints", 5), Map.of("segment", Map.of("inactiveForDays", 30)));
        String threeBrands = challenge("Three brands", 3);
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String token = Fixtures.claim(member);
        Fixtures.earnOk(FRESHMART, member, "10.00");

        List<Map<String, Object>> offers = GraphQl.call(token, OFFERS).getList("data.me.offers");

        assertEquals(List.of(firstVisit, basket, threeBrands), ids(offers, List.of(basket, firstVisit, forNewcomersOnly, threeBrands)),
                "one purchase away first, bigger rewards first; the win-back campaign is not for someone who just earned");
        Map<String, Object> challenge = offers.stream().filter(o -> threeBrands.equals(o.get("id"))).findFirst().orElseThrow();
        assertEquals(2, challenge.get("stepsToGo"));
        assertEquals("Earn at 3 different partners (2 to go)", challenge.get("description"));
        assertEquals("+100 points on a basket of 30 EUR or more at freshmart",
                offers.stream().filter(o -> basket.equals(o.get("id"))).findFirst().orElseThrow().get("description"));

        Fixtures.earnOk(FUELCO, member, "10.00");
        List<Map<String, Object>> after = GraphQl.call(token, OFFERS).getList("data.me.offers");
        assertEquals(List.of(threeBrands, basket), ids(after, List.of(basket, firstVisit, threeBrands)),
                "the first visit is used up; the challenge is one purchase away now, with the bigger reward");
    }

    @Test
    void nobodyElseSeesAMembersOffers() {
        campaign(FRESHMART, "Anything", Map.of("kind", "BASKET_BONUS", "minimumBasket", new BigDecimal("1"), "bonusPoints", 1));
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Fixtures.claim(member);

        JsonPath byPartner = GraphQl.call(Tokens.partner(FUELCO), "query($ref: MemberRefInput!) { member(ref: $ref) { offers { id } } }",
                Map.of("ref", member.ref()));
        JsonPath bySettlement = GraphQl.call(Tokens.settlement(), "query($ref: MemberRefInput!) { member(ref: $ref) { offers { id } } }",
                Map.of("ref", member.ref()));

        assertEquals(List.of(), byPartner.getList("data.member.offers"), "a partner learns nothing of what a member is offered");
        assertEquals(List.of(), bySettlement.getList("data.member.offers"));
    }

    private List<String> ids(List<Map<String, Object>> offers, List<String> ours) {
        return offers.stream().map(o -> (String) o.get("id")).filter(ours::contains).toList();
    }

    private String campaign(String partner, String name, Map<String, Object> rule) {
        return campaign(partner, name, rule, Map.of());
    }

    private String campaign(String partner, String name, Map<String, Object> rule, Map<String, Object> extra) {
        Map<String, Object> input = new HashMap<>(extra);
        input.put("idempotencyKey", Fixtures.key());
        input.put("name", name);
        input.put("rule", rule);
        input.put("currency", "EUR");
        input.put("startsAt", Instant.now().minus(Duration.ofMinutes(1)).toString());
        input.put("endsAt", Instant.now().plus(Duration.ofDays(1)).toString());
        input.put("budgetPoints", 100_000);
        JsonPath created = GraphQl.call(Tokens.partner(partner), """
                mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id } userErrors { message } } }""",
                Map.of("input", input));
        String id = created.getString("data.createCampaign.campaign.id");
        assertEquals(List.of(), created.getList("data.createCampaign.userErrors"), created::prettify);
        campaigns.add(new String[] { partner, id });
        return id;
    }

    private String challenge(String name, int target) {
        Map<String, Object> input = Map.of("idempotencyKey", Fixtures.key(), "name", name, "kind", "DISTINCT_PARTNERS", "target", target,
                "window", "CALENDAR_MONTH", "rewardPoints", 300, "fundedBy", "OPERATOR",
                "startsAt", Instant.now().minus(Duration.ofMinutes(1)).toString(), "endsAt", Instant.now().plus(Duration.ofDays(1)).toString());
        JsonPath created = GraphQl.call(OPERATOR, """
                mutation($input: CreateChallengeInput!) { createChallenge(input: $input) { challenge { id } userErrors { message } } }""",
                Map.of("input", input));
        String id = created.getString("data.createChallenge.challenge.id");
        challenges.add(id);
        return id;
    }

}
