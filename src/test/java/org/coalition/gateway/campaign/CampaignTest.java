package org.coalition.gateway.campaign;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.ledger.LedgerAudit;
import org.coalition.gateway.membership.PaidMemberships;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Metrics;
import org.coalition.gateway.support.Tokens;
import org.coalition.gateway.tenancy.TenantSessions;

/** A partner's marketing team runs campaigns; members get the bonuses with a reason; the partner pays for them. */
@GatewayTest
class CampaignTest {

    static final String CREATE = """
            mutation($input: CreateCampaignInput!) {
              createCampaign(input: $input) {
                campaign { id name ruleKind status budgetPoints remainingBudgetPoints bonusesGranted }
                userErrors { code field message }
              }
            }""";
    static final String SET_STATUS = """
            mutation($input: SetCampaignStatusInput!) {
              setCampaignStatus(input: $input) { campaign { id status } userErrors { code field message } }
            }""";
    static final String EARN = """
            mutation($input: EarnPointsInput!) {
              earnPoints(input: $input) {
                transaction { id points }
                member { balance }
                bonuses { campaignId reason points transactionId }
                userErrors { code field message }
              }
            }""";

    @Inject
    LedgerAudit audit;
    @Inject
    TenantSessions sessions;

    /** Partner and id of every campaign a test starts: ended afterwards, so no other test's earns get bonuses. */
    private final List<String[]> started = new java.util.ArrayList<>();

    @AfterEach
    void endCampaigns() {
        started.forEach(campaign -> setStatus(campaign[0], campaign[1], "ENDED"));
    }

    @Test
    void aBasketBonusIsGrantedWithItsReasonAndSettledAsAnIssuanceByThePartner() {
        String campaign = createOk(FRESHMART, basketBonus("Big basket week", "50.00", 500, 100_000), null);
        EnrolledMember member = Fixtures.enroll(FRESHMART);

        JsonPath big = earn(FRESHMART, member, "60.00", null);
        JsonPath small = earn(FRESHMART, member, "40.00", null);

        assertEquals(List.of(), big.getList("data.earnPoints.userErrors"), big::prettify);
        assertEquals(List.of(Map.of("campaignId", campaign, "reason", "Big basket week", "points", 500,
                "transactionId", big.getString("data.earnPoints.bonuses[0].transactionId"))), big.getList("data.earnPoints.bonuses"));
        int basePoints = big.getInt("data.earnPoints.transaction.points");
        assertEquals(basePoints + 500, big.getInt("data.earnPoints.member.balance"));
        assertEquals(List.of(), small.getList("data.earnPoints.bonuses"));

        Row fee = settlementRecordOf(big.getString("data.earnPoints.bonuses[0].transactionId"));
        assertEquals("ISSUANCE_FEE", fee.getString("kind"));
        assertEquals("freshmart", fee.getString("debtor_id"));
        assertEquals("coalition-operator", fee.getString("creditor_id"));
        assertEquals(500, fee.getInteger("points"));
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void aCategoryMultiplierAddsWhatTheCategoryLinesEarnOnceMore() {
        String campaign = createOk(FRESHMART, Map.of("kind", "CATEGORY_MULTIPLIER", "category", "bakery", "multiplier", new BigDecimal("3")), null);
        EnrolledMember member = Fixtures.enroll(FRESHMART);

        JsonPath plain = earn(FRESHMART, member, "10.00", null);
        JsonPath earned = earn(FRESHMART, member, "30.00", List.of(line("bakery", "12.50"), line("dairy", "17.50")));

        assertEquals(0, bonusTotal(plain, campaign), "no bakery line, no bonus");
        BigDecimal pointsPerEuro = new BigDecimal(plain.getInt("data.earnPoints.transaction.points")).divide(BigDecimal.TEN);
        // 3x: the bakery lines earn twice their base points more, rounded down
        int expected = new BigDecimal("12.50").multiply(pointsPerEuro).multiply(BigDecimal.valueOf(2)).intValue();
        assertEquals(expected, bonusTotal(earned, campaign));
        assertTrue(expected > 0);
    }

    @Test
    void concurrentEarnsNeverSpendMoreThanTheBudget() {
        String campaign = createOk(FRESHMART, basketBonus("Opening weekend", "1.00", 50, 2_000), null);
        EnrolledMember member = Fixtures.enroll(FRESHMART);

        int granted = grantedByConcurrentEarns(campaign, IntStream.range(0, 60).mapToObj(i -> member).toList());

        assertEquals(2_000, granted, "60 earns wanted 3,000 bonus points: the whole budget went, not a point more");
        JsonPath listed = GraphQl.call(Tokens.partner(FRESHMART), "{ campaigns { id remainingBudgetPoints } }");
        assertEquals(0, listed.getInt("data.campaigns.find { it.id == '" + campaign + "' }.remainingBudgetPoints"));
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void concurrentEarnsACampaignPaysShareStatementsAndEachGetsItsBonusOnce() {
        // Each takes a budget slot; a batch locks its slots in one order (V59), so shared statements do not deadlock.
        String campaign = createOk(FRESHMART, basketBonus("Late opening", "1.00", 5, 100_000), null);
        List<EnrolledMember> members = IntStream.range(0, 10).mapToObj(i -> Fixtures.enroll(FRESHMART)).toList();
        double sharedBefore = Metrics.earnsThatSharedAStatement();

        int granted = grantedByConcurrentEarns(campaign, IntStream.range(0, 40).mapToObj(i -> members.get(i % members.size())).toList());

        assertEquals(40 * 5, granted);
        assertTrue(Metrics.earnsThatSharedAStatement() > sharedBefore, "earns a campaign may pay shared statements");
        JsonPath listed = GraphQl.call(Tokens.partner(FRESHMART), "{ campaigns { id remainingBudgetPoints } }");
        assertEquals(100_000 - 40 * 5, listed.getInt("data.campaigns.find { it.id == '" + campaign + "' }.remainingBudgetPoints"));
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void concurrentEarnsOfManyMembersSpendTheLastOfTheBudgetExactlyAndAllPost() {
        // 40 members at once, in shared statements, want 2,000 points of a 1,000-point budget: slots run dry and
        // grants move on to other slots, the path where batches could meet in opposite orders.
        String campaign = createOk(FRESHMART, basketBonus("Closing down", "1.00", 50, 1_000), null);
        List<EnrolledMember> members = IntStream.range(0, 40).mapToObj(i -> Fixtures.enroll(FRESHMART)).toList();

        int granted = grantedByConcurrentEarns(campaign, members);

        assertEquals(1_000, granted, "the whole budget went, not a point more");
        JsonPath listed = GraphQl.call(Tokens.partner(FRESHMART), "{ campaigns { id remainingBudgetPoints } }");
        assertEquals(0, listed.getInt("data.campaigns.find { it.id == '" + campaign + "' }.remainingBudgetPoints"));
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    /** One 10.00 EUR earn at FreshMart per member given, all sent at once; the campaign's bonus points they got. */
    private static int grantedByConcurrentEarns(String campaign, List<EnrolledMember> members) {
        List<CompletableFuture<JsonObject>> earns = members.stream()
                .map(member -> GraphQl.send(Tokens.partner(FRESHMART), EARN, Map.of("input", earnInput(member, "10.00", null))))
                .toList();
        return earns.stream().map(CompletableFuture::join)
                .mapToInt(response -> {
                    JsonObject payload = response.getJsonObject("data").getJsonObject("earnPoints");
                    assertEquals(0, payload.getJsonArray("userErrors").size(), payload::encode);
                    return bonusTotal(payload.getJsonArray("bonuses"), campaign);
                }).sum();
    }

    @Test
    void aMemberGetsNoMoreThanThePerMemberCap() {
        String campaign = createOk(FRESHMART, basketBonus("Loyal shoppers", "1.00", 100, 100_000), Map.of("perMemberCapPoints", 150));
        EnrolledMember member = Fixtures.enroll(FRESHMART);

        List<Integer> bonuses = IntStream.range(0, 3)
                .mapToObj(i -> bonusTotal(earn(FRESHMART, member, "10.00", null), campaign)).toList();

        assertEquals(List.of(100, 50, 0), bonuses);
    }

    @Test
    void aFirstVisitBonusRewardsOnlyAnotherPartnersMemberAndOnlyOnce() {
        String campaign = createOk(FUELCO, Map.of("kind", "FIRST_VISIT_BONUS", "bonusPoints", 200), null);
        EnrolledMember freshmartMember = Fixtures.enroll(FRESHMART);
        EnrolledMember fuelcoMember = Fixtures.enroll(FUELCO);

        assertEquals(200, bonusTotal(earn(FUELCO, freshmartMember, "20.00", null), campaign));
        assertEquals(0, bonusTotal(earn(FUELCO, freshmartMember, "20.00", null), campaign), "only the first visit");
        assertEquals(0, bonusTotal(earn(FUELCO, fuelcoMember, "20.00", null), campaign), "FuelCo's own member is no acquisition");
    }

    @Test
    void segmentsPickNewAndLapsedMembers() {
        String forNewMembers = createOk(FUELCO, basketBonus("Welcome", "1.00", 30, 100_000),
                Map.of("segment", Map.of("newMembersWithinDays", 7)));
        String winBack = createOk(FUELCO, basketBonus("We missed you", "1.00", 40, 100_000),
                Map.of("segment", Map.of("inactiveForDays", 30)));
        EnrolledMember member = Fixtures.enroll(FUELCO);
        Fixtures.consentToPersonalisedOffers(member);

        JsonPath first = earn(FUELCO, member, "10.00", null);
        JsonPath second = earn(FUELCO, member, "10.00", null);

        assertEquals(30, bonusTotal(first, forNewMembers));
        assertEquals(40, bonusTotal(first, winBack), "no earn in the last 30 days before this one");
        assertEquals(30, bonusTotal(second, forNewMembers));
        assertEquals(0, bonusTotal(second, winBack), "the member earned a moment ago");
            }

    @Test
    void aMemberWithoutConsentToPersonalisedOffersIsNotTargetedAndDropsOutOnWithdrawal() {
        String targeted = createOk(FUELCO, basketBonus("New here", "1.00", 30, 100_000),
                Map.of("segment", Map.of("newMembersWithinDays", 7)));
        String forEverybody = createOk(FUELCO, basketBonus("Everybody's bonus", "1.00", 20, 100_000), null);
        EnrolledMember member = Fixtures.enroll(FUELCO);
        String token = Fixtures.claim(member);
        String offers = "{ me { offers { id } } }";

        JsonPath unasked = earn(FUELCO, member, "10.00", null);
        assertEquals(List.of(0, 20), List.of(bonusTotal(unasked, targeted), bonusTotal(unasked, forEverybody)),
                "no consent: no segment picks the member, the campaign for everybody still pays");
        List<String> shown = GraphQl.call(token, offers).getList("data.me.offers.id");
        assertTrue(shown.contains(forEverybody) && !shown.contains(targeted), shown::toString);

        Fixtures.setConsent(token, "PERSONALISED_OFFERS", true);
        JsonPath consented = earn(FUELCO, member, "10.00", null);
        assertEquals(30, bonusTotal(consented, targeted));
        assertTrue(GraphQl.call(token, offers).getList("data.me.offers.id").contains(targeted));

        Fixtures.setConsent(token, "PERSONALISED_OFFERS", false);
        JsonPath withdrawn = earn(FUELCO, member, "10.00", null);
        assertEquals(List.of(0, 20), List.of(bonusTotal(withdrawn, targeted), bonusTotal(withdrawn, forEverybody)),
                "a withdrawal counts from the next earn on");
        assertTrue(!GraphQl.call(token, offers).getList("data.me.offers.id").contains(targeted));
    }

    @Test
    void segmentsPickTiersAndPaidClubMembers() {
        String silverAndUp = createOk(FRESHMART, basketBonus("Silver and Gold treat", "1.00", 25, 100_000),
                Map.of("segment", Map.of("tiers", List.of("SILVER", "GOLD"))));
        String basicOnly = createOk(FRESHMART, basketBonus("Basic nudge", "1.00", 15, 100_000),
                Map.of("segment", Map.of("tiers", List.of("BASIC"))));
        String clubOnly = createOk(FRESHMART, basketBonus("Club treat", "1.00", 35, 100_000),
                Map.of("segment", Map.of("paidMembers", true)));
        String nonClubOnly = createOk(FRESHMART, basketBonus("Join the club", "1.00", 5, 100_000),
                Map.of("segment", Map.of("paidMembers", false)));
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Fixtures.consentToPersonalisedOffers(member);

        JsonPath basic = earn(FRESHMART, member, "10.00", null);
        assertEquals(List.of(15, 0, 0, 5), List.of(bonusTotal(basic, basicOnly), bonusTotal(basic, silverAndUp),
                bonusTotal(basic, clubOnly), bonusTotal(basic, nonClubOnly)), "a Basic member of no club");

        JsonPath crossing = earn(FRESHMART, member, "2500.00", null);
        assertEquals(25, bonusTotal(crossing, silverAndUp), "the tier this very earn reaches counts");
        assertEquals(0, bonusTotal(crossing, basicOnly));

        PaidMemberships.startOk(FRESHMART, member, "PLUS");
        JsonPath club = earn(FRESHMART, member, "10.00", null);
        assertEquals(List.of(25, 35, 0), List.of(bonusTotal(club, silverAndUp), bonusTotal(club, clubOnly),
                bonusTotal(club, nonClubOnly)), "a Silver club member");
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void bonusesFollowAReversedEarnBackInProportion() {
        String campaign = createOk(FRESHMART, basketBonus("Returnable bonus", "1.00", 101, 100_000), null);
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        PaidMemberships.startOk(FRESHMART, member, "PLUS"); // the club's 1.15x, funded by the operator
        JsonPath earned = earn(FRESHMART, member, "100.00", null);
        String earnId = earned.getString("data.earnPoints.transaction.id");
        int base = earned.getInt("data.earnPoints.transaction.points");
        List<Map<String, Object>> bonuses = earned.getList("data.earnPoints.bonuses");
        int clubBonus = bonuses.stream().filter(b -> b.get("campaignId") == null).mapToInt(b -> (Integer) b.get("points")).sum();
        assertEquals(101, bonusTotal(earned, campaign));
        assertTrue(clubBonus > 0, earned.prettify());
        assertEquals(base + 101 + clubBonus, balance(member));

        JsonPath half = reverse(earnId, base / 2);

        assertEquals(List.of(), half.getList("data.reverseTransaction.userErrors"), half::prettify);
        int kept = base - base / 2 + 101 - 101 * (base / 2) / base + clubBonus - clubBonus * (base / 2) / base;
        assertEquals(kept, balance(member), "each bonus goes back in the earn's proportion, rounded down");

        reverse(earnId, null);

        assertEquals(0, balance(member), "reversed in full, nothing of the earn or its bonuses is left");
        Row refunds = sessions.asSystem(connection -> connection.preparedQuery("""
                        select coalesce(sum(r.points), 0) as points, count(*) as records from settlement_records r
                        join journal_entries e on e.id = r.entry_id join bonus_grants g on g.entry_id = e.reverses_id
                        where g.earn_entry_id = $1 and r.kind = 'REVERSAL' and r.creditor_id = 'freshmart'""")
                .execute(Tuple.of(java.util.UUID.fromString(earnId)))).await().indefinitely().iterator().next();
        assertEquals(101, refunds.getLong("points").intValue(), "FreshMart's fee for its bonus is refunded; the operator's bonus had none");
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void aReversedBonusGoesBackToTheCampaignsBudgetAndTheMembersCap() {
        String campaign = createOk(FRESHMART, basketBonus("Budgeted bonus", "1.00", 100, 1_000), Map.of("perMemberCapPoints", 100));
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        JsonPath earned = earn(FRESHMART, member, "40.00", null);
        String earnId = earned.getString("data.earnPoints.transaction.id");
        int base = earned.getInt("data.earnPoints.transaction.points");
        assertEquals(900, remainingBudget(campaign));

        JsonPath half = reverse(earnId, base / 2);

        assertEquals(List.of(), half.getList("data.reverseTransaction.userErrors"), half::prettify);
        assertEquals(900 + 100 * (base / 2) / base, remainingBudget(campaign), "half the earn returned, half its bonus back in the budget");
        reverse(earnId, null);
        assertEquals(1_000, remainingBudget(campaign));
        assertEquals(100, bonusTotal(earn(FRESHMART, member, "40.00", null), campaign),
                "with the returned bonus off their tally, the member is under the cap again");
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    private static int remainingBudget(String campaign) {
        JsonPath listed = GraphQl.call(Tokens.partner(FRESHMART), "{ campaigns { id remainingBudgetPoints } }");
        return listed.getInt("data.campaigns.find { it.id == '" + campaign + "' }.remainingBudgetPoints");
    }

    @Test
    void bonusesAlreadySpentAreAClawbackShortfall() {
        String campaign = createOk(FRESHMART, basketBonus("Spent bonus", "1.00", 40, 100_000), null);
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        JsonPath earned = earn(FRESHMART, member, "20.00", null);
        assertEquals(40, bonusTotal(earned, campaign));
        int everything = balance(member);
        assertEquals(List.of(), Fixtures.redeem(FRESHMART, Fixtures.redeemInput(member, everything))
                .getList("data.redeemPoints.userErrors"));

        JsonPath reversed = reverse(earned.getString("data.earnPoints.transaction.id"), null);

        assertEquals(List.of(), reversed.getList("data.reverseTransaction.userErrors"), reversed::prettify);
        assertEquals(0, balance(member), "nothing was left to take back");
        long bonusShortfall = sessions.asSystem(connection -> connection.preparedQuery(
                        "select coalesce(sum(points), 0) as points from clawbacks where original_id = $1")
                .execute(Tuple.of(java.util.UUID.fromString(bonusTransaction(earned, campaign)))))
                .await().indefinitely().iterator().next().getLong("points");
        assertEquals(40, bonusShortfall, "the spent bonus is the settlement team's to chase, like the spent earn");
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    private static String bonusTransaction(JsonPath earned, String campaign) {
        List<Map<String, Object>> bonuses = earned.getList("data.earnPoints.bonuses");
        return bonuses.stream().filter(b -> campaign.equals(b.get("campaignId"))).map(b -> (String) b.get("transactionId"))
                .findFirst().orElseThrow();
    }

    private static JsonPath reverse(String earnId, Integer points) {
        Map<String, Object> input = new HashMap<>(Map.of("idempotencyKey", Fixtures.key(), "transactionId", earnId));
        input.put("points", points);
        return GraphQl.call(Tokens.partner(FRESHMART), """
                mutation($input: ReverseTransactionInput!) {
                  reverseTransaction(input: $input) { transaction { id points } shortfall userErrors { code field message } }
                }""", Map.of("input", input));
    }

    private static int balance(EnrolledMember member) {
        return GraphQl.call(Tokens.partner(FRESHMART), "query($ref: MemberRefInput!) { member(ref: $ref) { balance } }",
                Map.of("ref", member.ref())).getInt("data.member.balance");
    }

    @Test
    void aTierSegmentNamesTheProgramsTiers() {
        JsonPath refused = GraphQl.call(Tokens.partner(FRESHMART), CREATE, Map.of("input", campaignInput(
                basketBonus("Platinum only", "1.00", 10, 1_000), Map.of("segment", Map.of("tiers", List.of("PLATINUM"))))));

        assertEquals(List.of("input", "segment", "tiers"), refused.getList("data.createCampaign.userErrors[0].field"));
        assertEquals(null, (Object) refused.get("data.createCampaign.campaign"));
    }

    @Test
    void aPausedCampaignGivesNothingAndAnEndedOneCannotBeResumed() {
        String campaign = createOk(FRESHMART, basketBonus("Flash sale", "1.00", 10, 100_000), null);
        EnrolledMember member = Fixtures.enroll(FRESHMART);

        assertEquals("PAUSED", setStatus(FRESHMART, campaign, "PAUSED").getString("data.setCampaignStatus.campaign.status"));
        assertEquals(0, bonusTotal(earn(FRESHMART, member, "10.00", null), campaign));
        setStatus(FRESHMART, campaign, "ACTIVE");
        assertEquals(10, bonusTotal(earn(FRESHMART, member, "10.00", null), campaign));
        setStatus(FRESHMART, campaign, "ENDED");
        assertEquals("INVALID_INPUT", setStatus(FRESHMART, campaign, "ACTIVE").getString("data.setCampaignStatus.userErrors[0].code"));
        assertEquals(0, bonusTotal(earn(FRESHMART, member, "10.00", null), campaign));
    }

    @Test
    void aCampaignIsItsPartnersOwn() {
        String campaign = createOk(FRESHMART, basketBonus("FreshMart only", "1.00", 10, 100_000), null);
        EnrolledMember member = Fixtures.enroll(FRESHMART);

        assertEquals(0, bonusTotal(earn(FUELCO, member, "10.00", null), campaign), "FreshMart pays nothing for FuelCo's sales");
        assertEquals("CAMPAIGN_NOT_FOUND", setStatus(FUELCO, campaign, "PAUSED").getString("data.setCampaignStatus.userErrors[0].code"));
        assertTrue(GraphQl.call(Tokens.partner(FUELCO), "{ campaigns { id } }").getList("data.campaigns.id").stream()
                .noneMatch(campaign::equals));
        assertEquals("FORBIDDEN", GraphQl.call(Tokens.partner(FRESHMART, "points:earn"), "{ campaigns { id } }")
                .getString("errors[0].extensions.reason"));
    }

    @Test
    void aRetriedEarnAnswersWithTheSameBonusesAndGrantsNothingMore() {
        String campaign = createOk(FRESHMART, basketBonus("Retry-safe", "1.00", 70, 100_000), null);
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Map<String, Object> input = earnInput(member, "10.00", null);

        JsonPath first = GraphQl.call(Tokens.partner(FRESHMART), EARN, Map.of("input", input));
        JsonPath retry = GraphQl.call(Tokens.partner(FRESHMART), EARN, Map.of("input", input));

        assertEquals(first.getList("data.earnPoints.bonuses"), retry.getList("data.earnPoints.bonuses"));
        assertEquals(70, bonusTotal(first, campaign));
        assertEquals(first.getInt("data.earnPoints.member.balance"), retry.getInt("data.earnPoints.member.balance"));
    }

    @Test
    void badCampaignsAreRefusedFieldByField() {
        Map<String, Object> input = campaignInput(Map.of("kind", "CATEGORY_MULTIPLIER", "multiplier", new BigDecimal("0.5")), null);
        input.put("endsAt", "2020-01-01T00:00:00Z");
        input.put("currency", "USD");
        input.put("budgetPoints", 0);

        JsonPath refused = GraphQl.call(Tokens.partner(FRESHMART), CREATE, Map.of("input", input));

        assertEquals(List.of(List.of("input", "rule", "category"), List.of("input", "rule", "multiplier"), List.of("input", "currency"),
                List.of("input", "endsAt"), List.of("input", "budgetPoints")), refused.getList("data.createCampaign.userErrors.field"));
        assertEquals(null, (Object) refused.get("data.createCampaign.campaign"));
    }

    // ------------------------------------------------------------------ helpers

    static Map<String, Object> basketBonus(String name, String minimumBasket, int bonusPoints, int budget) {
        Map<String, Object> rule = new HashMap<>(Map.of("kind", "BASKET_BONUS", "minimumBasket", new BigDecimal(minimumBasket),
                "bonusPoints", bonusPoints));
        rule.put("name", name);
        rule.put("budget", budget);
        return rule;
    }

    private static Map<String, Object> campaignInput(Map<String, Object> ruleAndMore, Map<String, Object> extra) {
        Map<String, Object> rule = new HashMap<>(ruleAndMore);
        Object name = rule.remove("name");
        Object budget = rule.remove("budget");
        Map<String, Object> input = new HashMap<>();
        input.put("idempotencyKey", Fixtures.key());
        input.put("name", name == null ? "Campaign " + Fixtures.key().substring(0, 8) : name);
        input.put("rule", rule);
        input.put("currency", "EUR");
        input.put("startsAt", Instant.now().minus(Duration.ofMinutes(1)).toString());
        input.put("endsAt", Instant.now().plus(Duration.ofDays(7)).toString());
        input.put("budgetPoints", budget == null ? 100_000 : budget);
        if (extra != null) {
            input.putAll(extra);
        }
        return input;
    }

    private String createOk(String partner, Map<String, Object> rule, Map<String, Object> extra) {
        JsonPath created = GraphQl.call(Tokens.partner(partner), CREATE, Map.of("input", campaignInput(rule, extra)));
        assertEquals(List.of(), created.getList("data.createCampaign.userErrors"), created::prettify);
        assertEquals("ACTIVE", created.getString("data.createCampaign.campaign.status"));
        String id = created.getString("data.createCampaign.campaign.id");
        started.add(new String[] { partner, id });
        return id;
    }

    private static JsonPath setStatus(String partner, String campaign, String status) {
        return GraphQl.call(Tokens.partner(partner), SET_STATUS,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "id", campaign, "status", status)));
    }

    private static Map<String, Object> earnInput(EnrolledMember member, String amount, List<Map<String, Object>> lines) {
        Map<String, Object> input = Fixtures.earnInput(member, amount);
        if (lines != null) {
            input.put("lines", lines);
        }
        return input;
    }

    static JsonPath earn(String partner, EnrolledMember member, String amount, List<Map<String, Object>> lines) {
        JsonPath earned = GraphQl.call(Tokens.partner(partner), EARN, Map.of("input", earnInput(member, amount, lines)));
        assertEquals(List.of(), earned.getList("data.earnPoints.userErrors"), earned::prettify);
        return earned;
    }

    private static Map<String, Object> line(String category, String amount) {
        return Map.of("sku", category + "-1", "category", category, "amount", new BigDecimal(amount));
    }

    static int bonusTotal(JsonPath earned, String campaign) {
        List<Map<String, Object>> bonuses = earned.getList("data.earnPoints.bonuses");
        return bonuses.stream().filter(b -> campaign.equals(b.get("campaignId"))).mapToInt(b -> (Integer) b.get("points")).sum();
    }

    private static int bonusTotal(JsonArray bonuses, String campaign) {
        return bonuses.stream().map(JsonObject.class::cast).filter(b -> campaign.equals(b.getString("campaignId")))
                .mapToInt(b -> b.getInteger("points")).sum();
    }

    private Row settlementRecordOf(String entryId) {
        return sessions.asSystem(connection -> connection.preparedQuery(
                        "select kind, debtor_id, creditor_id, points from settlement_records where entry_id = $1")
                .execute(Tuple.of(java.util.UUID.fromString(entryId)))).await().indefinitely().iterator().next();
    }
}
