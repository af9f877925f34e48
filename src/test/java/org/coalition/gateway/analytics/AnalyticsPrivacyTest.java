package org.coalition.gateway.analytics;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/**
 * A partner sees cross-brand figures only in aggregate and only about groups of at least the minimum size (20), and no
 * member identifier ever leaves the database: crafted with SkyWays (a test-only partner) so that nobody else's data
 * is in its flows. 3 SkyWays members burn at FuelCo (suppressed), 20 at FreshMart (shown).
 */
@GatewayTest
class AnalyticsPrivacyTest {

    static final String FLOWS = """
            query($partnerId: String, $from: String) { programAnalytics(partnerId: $partnerId) {
              scope minimumGroupSize
              crossBrandFlows(fromMonth: $from) { month earnedAt burnedAt points members averageDaysEarnToBurn suppressed } } }""";
    static final String EVERYTHING = """
            query { programAnalytics {
              scope asOf currency minimumGroupSize
              retention(fromMonth: "2017-01") { cohortMonth members months { monthsSinceCohort month activeMembers retentionRate spend visits pointsEarned pointsRedeemed } }
              activity(churnAfterDays: 30) { asOfDay churnAfterDays members everActive activeMembers churnedMembers churnRate }
              valueSegments { segment lowerBound members shareOfMembers spend visits pointsEarned pointsRedeemed spendPerMember visitsPerMember }
              cohortValue(fromMonth: "2017-01") { cohortMonth members spend historicalClv lastMonthSpendPerMember monthlyRetentionRate projectedClv }
              campaignRoi { campaignId name partnerId bonusPoints cost rewarded { members spendBefore spendDuring } control { members spendBefore spendDuring } roi }
              rewardPerformance(fromMonth: "2017-01") { partnerId pointsIssued pointsRedeemedHere ownPointsRedeemedElsewhere liabilityOutstanding averageDaysEarnToBurn }
              crossBrandFlows(fromMonth: "2017-01") { month earnedAt burnedAt points members suppressed } } }""";

    @Inject
    AnalyticsAggregator aggregator;

    private static final List<EnrolledMember> members = new ArrayList<>();
    private static String month;

    @BeforeEach
    void threeSkyWaysMembersBurnAtFuelCoAndTwentyAtFreshMart() throws Exception {
        if (month != null) {
            return;
        }
        for (int i = 0; i < 23; i++) {
            EnrolledMember member = Analytics.enrollAtSkyways();
            Analytics.earnAtSkyways(member, "100.00");
            Analytics.redeemOk(i < 3 ? Fixtures.FUELCO : Fixtures.FRESHMART, member, 100);
            members.add(member);
        }
        month = YearMonth.from(Analytics.foldUntilNow(aggregator).atOffset(ZoneOffset.UTC)).toString();
    }

    @Test
    void aPartnersCrossBrandFlowsBelowTheMinimumGroupAreMergedWithoutFigures() {
        List<Map<String, Object>> skyways = flows(Analytics.skyways(), null);
        Map<String, Object> toFreshMart = only(skyways, "skyways", "freshmart");
        assertTrue(((Number) toFreshMart.get("members")).intValue() >= 20, toFreshMart::toString);
        assertTrue(((Number) toFreshMart.get("points")).intValue() >= 2000, toFreshMart::toString);
        assertEquals(false, toFreshMart.get("suppressed"));
        assertTrue(skyways.stream().noneMatch(flow -> "fuelco".equals(flow.get("burnedAt"))), skyways::toString);
        Map<String, Object> merged = only(skyways, "skyways", null);
        assertEquals(true, merged.get("suppressed"));
        assertNull(merged.get("points"));
        assertNull(merged.get("members"));

        List<Map<String, Object>> fuelco = flows(Tokens.partner(Fixtures.FUELCO), null);
        assertTrue(fuelco.stream().noneMatch(flow -> "skyways".equals(flow.get("earnedAt"))), fuelco::toString);
        assertTrue(fuelco.stream().anyMatch(flow -> flow.get("earnedAt") == null && "fuelco".equals(flow.get("burnedAt"))
                && Boolean.TRUE.equals(flow.get("suppressed"))), fuelco::toString);
    }

    @Test
    void analystsSeeEveryFlowWithItsFigures() {
        List<Map<String, Object>> all = flows(Analytics.ANALYST, null);
        Map<String, Object> toFuelCo = only(all, "skyways", "fuelco");
        assertTrue(((Number) toFuelCo.get("members")).intValue() >= 3);
        assertEquals(false, toFuelCo.get("suppressed"));
        assertEquals(List.of("skyways"), flows(Analytics.ANALYST, "skyways").stream()
                .filter(flow -> "fuelco".equals(flow.get("burnedAt"))).map(flow -> flow.get("earnedAt")).distinct().toList());
    }

    @Test
    void noMemberIdentifierLeavesInAnyFigureOrExport() {
        List<String> answers = new ArrayList<>();
        for (String token : List.of(Analytics.skyways(), Tokens.partner(Fixtures.FUELCO), Tokens.partner(Fixtures.FRESHMART), Analytics.ANALYST)) {
            JsonPath answer = GraphQl.call(token, EVERYTHING, Map.of());
            assertNull(answer.get("errors"), answer::prettify);
            answers.add(answer.prettify());
            for (String figure : AnalyticsCsvExport.FIGURES) {
                answers.add(given().header("Authorization", "Bearer " + token).when().get("/analytics/" + figure + ".csv")
                        .then().statusCode(200).extract().asString());
            }
        }
        for (EnrolledMember member : members) {
            answers.forEach(answer -> {
                assertFalse(answer.contains(member.id()), "a member id left the database");
                assertFalse(answer.contains(member.cardNumber()), "a card number left the database");
            });
        }
    }

    @Test
    void rowLevelSecurityKeepsTheMemberLevelRowsToTheJob() throws Exception {
        String[] tables = { "analytics_member_state", "analytics_flow_members", "analytics_campaign_members", "analytics_campaigns_folded" };
        try (Connection connection = Analytics.app(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            for (String kind : List.of("PARTNER", "ANALYST", "OPERATOR", "SETTLEMENT", "MEMBER")) {
                statement.execute("select coalition_set_caller('" + kind + "', 'skyways', '', 'x')");
                for (String table : tables) {
                    try (ResultSet count = statement.executeQuery("select count(*) from " + table)) {
                        count.next();
                        assertEquals(0, count.getLong(1), kind + " reads " + table);
                    }
                }
            }
            statement.execute("select coalition_set_caller('PARTNER', 'skyways', '', 'x')");
            try (ResultSet rows = statement.executeQuery("select count(*) from analytics_points where issuer_id <> 'skyways' "
                    + "and counterparty_id <> 'skyways'")) {
                rows.next();
                assertEquals(0, rows.getLong(1), "a partner reads flows it is no side of");
            }
            statement.execute("select coalition_set_caller('SYSTEM', '', '', 'x')");
            try (ResultSet count = statement.executeQuery("select count(*) from analytics_member_state")) {
                count.next();
                assertTrue(count.getLong(1) >= members.size());
            }
            connection.rollback();
        }
    }

    @Test
    void aPartnerReadsOnlyItsOwnViewAndOnlyWithItsScope() {
        JsonPath other = GraphQl.call(Analytics.skyways(), FLOWS, Map.of("partnerId", "fuelco", "from", month));
        assertEquals("FORBIDDEN", other.getString("errors[0].extensions.reason"), other::prettify);
        JsonPath noScope = GraphQl.call(Tokens.partner(Fixtures.FUELCO, "points:earn members:read"), FLOWS, Map.of("from", month));
        assertEquals("FORBIDDEN", noScope.getString("errors[0].extensions.reason"), noScope::prettify);
        JsonPath member = GraphQl.call(Tokens.member("someone"), FLOWS, Map.of("from", month));
        assertEquals("FORBIDDEN", member.getString("errors[0].extensions.reason"), member::prettify);
        given().header("Authorization", "Bearer " + Tokens.partner(Fixtures.FUELCO, "points:earn"))
                .when().get("/analytics/retention.csv").then().statusCode(403);
        given().when().get("/analytics/retention.csv").then().statusCode(401);
        given().header("Authorization", "Bearer " + Tokens.partner(Fixtures.FUELCO))
                .when().get("/analytics/retention.csv?partnerId=freshmart").then().statusCode(403);
    }

    @Test
    void anAnalystReadsAnalyticsAndNothingElse() {
        JsonPath partners = GraphQl.call(Analytics.ANALYST, "{ partners { id } }");
        assertEquals("FORBIDDEN", partners.getString("errors[0].extensions.reason"), partners::prettify);
        JsonPath scoped = GraphQl.call(Analytics.ANALYST, FLOWS, Map.of("partnerId", "fuelco", "from", month));
        assertEquals("fuelco", scoped.getString("data.programAnalytics.scope"), scoped::prettify);
        assertEquals(20, scoped.getInt("data.programAnalytics.minimumGroupSize"));
    }

    @Test
    void theCsvCarriesTheSameFlowsAsGraphQl() {
        List<Map<String, Object>> flows = flows(Analytics.skyways(), null);
        String csv = given().header("Authorization", "Bearer " + Analytics.skyways())
                .when().get("/analytics/cross-brand-flows.csv?fromMonth=" + month).then().statusCode(200)
                .contentType("text/csv").extract().asString();
        List<String> lines = csv.lines().toList();
        assertEquals("month,earnedAt,burnedAt,points,members,averageDaysEarnToBurn,suppressed", lines.get(0));
        assertEquals(flows.size(), lines.size() - 1, csv);
        for (int i = 0; i < flows.size(); i++) {
            Map<String, Object> flow = flows.get(i);
            String[] cells = lines.get(i + 1).split(",", -1);
            assertEquals(List.of(cell(flow.get("month")), cell(flow.get("earnedAt")), cell(flow.get("burnedAt")), cell(flow.get("points")),
                    cell(flow.get("members")), cell(flow.get("suppressed"))),
                    List.of(cells[0], cells[1], cells[2], cells[3], cells[4], cells[6]));
            // JSON numbers read back as floats here; the CSV has the double
            if (flow.get("averageDaysEarnToBurn") != null) {
                double days = ((Number) flow.get("averageDaysEarnToBurn")).doubleValue();
                assertEquals(days, Double.parseDouble(cells[5]), Math.abs(days) * 1e-6);
            }
        }
    }

    private static String cell(Object value) {
        return value == null ? "" : value.toString();
    }

    private List<Map<String, Object>> flows(String token, String partnerId) {
        java.util.HashMap<String, Object> variables = new java.util.HashMap<>();
        variables.put("partnerId", partnerId);
        variables.put("from", month);
        JsonPath answer = GraphQl.call(token, FLOWS, variables);
        assertNull(answer.get("errors"), answer::prettify);
        return answer.getList("data.programAnalytics.crossBrandFlows");
    }

    private Map<String, Object> only(List<Map<String, Object>> flows, String earnedAt, String burnedAt) {
        List<Map<String, Object>> matching = flows.stream().filter(flow -> month.equals(flow.get("month"))
                && java.util.Objects.equals(earnedAt, flow.get("earnedAt")) && java.util.Objects.equals(burnedAt, flow.get("burnedAt")))
                .toList();
        assertEquals(1, matching.size(), flows::toString);
        return matching.get(0);
    }
}
