package org.coalition.gateway.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.config.JsonPathConfig;
import io.restassured.path.json.JsonPath;

import org.coalition.gateway.expiry.LotExpiry;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/**
 * Every figure of the program analytics, computed a second time straight from the raw ledger rows (journal entries,
 * lots, lot draws, bonus grants, settlement records) as of the same watermark, for a generated data set: earns over
 * past months at two partners, bonuses of a campaign, redemptions, a donation, reversals of an earn and of a
 * redemption, and lots that expire. The whole database is compared, so whatever other tests left in it counts too.
 */
@GatewayTest
class AnalyticsCorrectnessTest {

    static final String ALL = """
            query($partnerId: String) { programAnalytics(partnerId: $partnerId) { scope asOf
              retention(fromMonth: "2017-01") { cohortMonth members months { month activeMembers retentionRate spend visits pointsEarned pointsRedeemed } }
              activity(churnAfterDays: 30) { asOfDay members everActive activeMembers churnedMembers churnRate }
              valueSegments { segment members spend visits pointsEarned pointsRedeemed }
              cohortValue(fromMonth: "2017-01") { cohortMonth members spend historicalClv lastMonthSpendPerMember monthlyRetentionRate projectedClv }
              campaignRoi { campaignId bonusPoints cost rewarded { members spendBefore spendDuring visitsBefore visitsDuring }
                            control { members spendBefore spendDuring visitsBefore visitsDuring } upliftPerMember roi }
              rewardPerformance(fromMonth: "2017-01") { partnerId pointsIssued bonusPointsFunded pointsRedeemedHere ownPointsRedeemed
                            ownPointsRedeemedElsewhere pointsExpired pointsReversed breakageRate liabilityOutstanding averageDaysEarnToBurn }
              crossBrandFlows(fromMonth: "2017-01") { month earnedAt burnedAt points members averageDaysEarnToBurn suppressed } } }""";
    static final String CREATE_CAMPAIGN = """
            mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id } userErrors { code message } } }""";
    static final String SET_CAMPAIGN_STATUS = """
            mutation($input: SetCampaignStatusInput!) { setCampaignStatus(input: $input) { campaign { id } userErrors { code } } }""";
    static final String REVERSE = """
            mutation($input: ReverseTransactionInput!) { reverseTransaction(input: $input) { transaction { id } userErrors { code message } } }""";
    static final String DONATE = """
            mutation($input: DonatePointsInput!) { donatePoints(input: $input) { transaction { id } userErrors { code message } } }""";
    static final List<BigDecimal> THRESHOLDS = List.of(new BigDecimal("1000"), new BigDecimal("250"), new BigDecimal("50"));

    @Inject
    AnalyticsAggregator aggregator;
    @Inject
    LotExpiry expiry;
    @Inject
    AnalyticsConfig config;

    @Test
    void everyFigureMatchesTheLedgerComputedFromItsRawRows() throws Exception {
        List<String> campaigns = generate(new Random(12));
        Instant watermark = Analytics.foldUntilNow(aggregator);
        try (Connection db = Analytics.owner()) {
            for (String campaign : campaigns) {
                Independent truth = new Independent(db, "*", watermark);
                assertTrue(truth.earnsAfterStopOfRewardedMembers(campaign) > 0,
                        "the data has purchases of rewarded members after the campaign stopped, inside the watermark");
                assertTrue(truth.campaignSample(campaign, config.controlGroupSize()).level() > 0,
                        "the campaign's eligible members outnumber its control group size");
            }
        }

        for (String scope : List.of("*", "freshmart", "fuelco")) {
            JsonPath served = scope.equals("*") ? query(Analytics.ANALYST, null)
                    : scope.equals("freshmart") ? query(Tokens.partner(Fixtures.FRESHMART), null) : query(Analytics.ANALYST, "fuelco");
            assertEquals(watermark, Instant.parse(served.getString("data.programAnalytics.asOf")));
            try (Connection db = Analytics.owner()) {
                Independent truth = new Independent(db, scope, watermark);
                assertEquals(truth.retention(), retention(served), scope + ": retention");
                assertEquals(truth.activity(30), activity(served), scope + ": activity");
                assertEquals(truth.segments(), segments(served), scope + ": value segments");
                assertCohortValue(truth, served, scope);
                if (!scope.equals("fuelco")) {
                    for (String campaign : campaigns) {
                        assertEquals(truth.campaign(campaign, config.controlGroupSize()), campaign(served, campaign),
                                scope + ": campaign ROI");
                    }
                }
                if (scope.equals("*")) {
                    assertEquals(truth.performance(), performance(served), "reward performance");
                    assertEquals(truth.flows(), flows(served), "cross-brand flows");
                }
            }
        }
    }

    // ------------------------------------------------------------------ the data set

    /**
     * Members of two partners over past months, two campaigns, burns, a donation, reversals, expiry; returns the
     * campaigns: one ended, one paused, both with purchases after that (which count for neither).
     */
    private List<String> generate(Random random) throws Exception {
        YearMonth thisMonth = YearMonth.now(ZoneOffset.UTC);
        List<EnrolledMember> members = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            EnrolledMember member = Fixtures.enroll(i % 2 == 0 ? Fixtures.FRESHMART : Fixtures.FUELCO);
            members.add(member);
            earn(Fixtures.FRESHMART, member, "120.00", null);
            for (int e = 0; e < 1 + random.nextInt(4); e++) {
                // FreshMart's contract is in force from January 2026
                YearMonth month = thisMonth.minusMonths(random.nextInt(Math.min(11, thisMonth.getMonthValue())));
                int days = month.equals(thisMonth) ? Math.max(1, LocalDate.now(ZoneOffset.UTC).getDayOfMonth() - 1) : 27;
                earn(Fixtures.FRESHMART, member, amount(random), month.atDay(1 + random.nextInt(days)).atStartOfDay().toInstant(ZoneOffset.UTC));
            }
            if (i % 3 == 0) {
                earn(Fixtures.FUELCO, member, amount(random), thisMonth.minusMonths(1 + random.nextInt(5)).atDay(3).atStartOfDay()
                        .toInstant(ZoneOffset.UTC));
            }
            if (i % 4 == 1) {
                // FuelCo points expire after 12 months: these are due at once
                earn(Fixtures.FUELCO, member, "80.00", Instant.parse("2024-06-15T10:00:00Z"));
            }
        }
        while (expiry.expireDue().await().indefinitely() > 0) {
            // all due lots, other tests' included
        }
        // folded before the campaigns exist: their first fold catches them up with these purchases
        Analytics.foldUntilNow(aggregator);
        String ended = createCampaign("Analytics basket bonus");
        String paused = createCampaign("Analytics basket bonus, paused");
        for (int i = 0; i < 6; i++) {
            earn(Fixtures.FRESHMART, members.get(i), "30.00", Instant.now().minus(Duration.ofDays(3)));
        }
        // folded before their rewards: members rewarded outside the sample bring these purchases from the ledger
        Analytics.foldUntilNow(aggregator);
        for (int i = 0; i < 6; i++) {
            earn(Fixtures.FRESHMART, members.get(i), i < 3 ? "75.00" : "20.00", null);
        }
        setStatus(paused, "PAUSED");
        for (int i = 0; i < members.size(); i += 2) {
            Analytics.redeemOk(Fixtures.FUELCO, members.get(i), 100);
        }
        for (int i = 1; i < members.size(); i += 3) {
            Analytics.redeemOk(Fixtures.FRESHMART, members.get(i), 15 + random.nextInt(20));
        }
        String earn = earn(Fixtures.FRESHMART, members.get(7), "40.00", null);
        mutate(Tokens.partner(Fixtures.FRESHMART), REVERSE, Map.of("idempotencyKey", Fixtures.key(), "transactionId", earn, "points", 25),
                "reverseTransaction");
        JsonPath redeemed = Fixtures.redeem(Fixtures.FRESHMART, Fixtures.redeemInput(members.get(9), 30));
        mutate(Tokens.partner(Fixtures.FRESHMART), REVERSE, Map.of("idempotencyKey", Fixtures.key(),
                "transactionId", redeemed.getString("data.redeemPoints.transaction.id"), "points", 10), "reverseTransaction");
        mutate(Fixtures.claim(members.get(10)), DONATE, Map.of("idempotencyKey", Fixtures.key(), "charityPartnerId", "greenheart",
                "points", 12), "donatePoints");
        setStatus(ended, "ENDED");
        // after both stopped, still inside their windows: rewarded members and others shop again, a new member for the first time
        for (int i = 0; i < 5; i++) {
            earn(Fixtures.FRESHMART, members.get(i), "60.00", null);
        }
        earn(Fixtures.FRESHMART, Fixtures.enroll(Fixtures.FRESHMART), "55.00", null);
        return List.of(ended, paused);
    }

    private static void setStatus(String campaign, String status) {
        mutate(Tokens.partner(Fixtures.FRESHMART), SET_CAMPAIGN_STATUS, Map.of("idempotencyKey", Fixtures.key(), "id", campaign, "status", status),
                "setCampaignStatus");
    }

    private static String amount(Random random) {
        return BigDecimal.valueOf(500 + random.nextInt(40_000), 2).toPlainString();
    }

    private static String earn(String partner, EnrolledMember member, String amount, Instant occurredAt) {
        Map<String, Object> input = Fixtures.earnInput(member, amount);
        if (occurredAt != null) {
            input.put("occurredAt", occurredAt.toString());
        }
        JsonPath result = Fixtures.earn(partner, input);
        assertEquals(List.of(), result.getList("data.earnPoints.userErrors"), result::prettify);
        return result.getString("data.earnPoints.transaction.id");
    }

    private static String createCampaign(String name) {
        Map<String, Object> input = new HashMap<>();
        input.put("idempotencyKey", Fixtures.key());
        input.put("name", name);
        input.put("rule", Map.of("kind", "BASKET_BONUS", "minimumBasket", new BigDecimal("50"), "bonusPoints", 40));
        input.put("currency", "EUR");
        input.put("startsAt", Instant.now().minus(Duration.ofMinutes(1)).toString());
        input.put("endsAt", Instant.now().plus(Duration.ofDays(7)).toString());
        input.put("budgetPoints", 10_000);
        return mutate(Tokens.partner(Fixtures.FRESHMART), CREATE_CAMPAIGN, input, "createCampaign").getString("data.createCampaign.campaign.id");
    }

    private static JsonPath mutate(String token, String document, Map<String, Object> input, String field) {
        JsonPath result = GraphQl.call(token, document, Map.of("input", input));
        assertEquals(List.of(), result.getList("data." + field + ".userErrors"), result::prettify);
        return result;
    }

    // ------------------------------------------------------------------ what the gateway serves

    private static JsonPath query(String token, String partnerId) throws Exception {
        Map<String, Object> variables = new HashMap<>();
        variables.put("partnerId", partnerId);
        String body = GraphQl.post(token, ALL, variables, Duration.ofSeconds(30)).body();
        JsonPath answer = JsonPath.from(body).using(new JsonPathConfig(JsonPathConfig.NumberReturnType.BIG_DECIMAL));
        assertNull(answer.get("errors"), body);
        return answer;
    }

    static String n(Object value) {
        if (value == null) {
            return "null";
        }
        return new BigDecimal(value.toString()).stripTrailingZeros().toPlainString();
    }

    private static Map<String, String> retention(JsonPath served) {
        Map<String, String> figures = new TreeMap<>();
        for (Map<String, Object> cohort : served.<Map<String, Object>>getList("data.programAnalytics.retention")) {
            figures.put(cohort.get("cohortMonth") + " size", n(cohort.get("members")));
            for (Map<String, Object> month : (List<Map<String, Object>>) cohort.get("months")) {
                figures.put(cohort.get("cohortMonth") + " " + month.get("month"), String.join("|", n(month.get("activeMembers")),
                        n(month.get("spend")), n(month.get("visits")), n(month.get("pointsEarned")), n(month.get("pointsRedeemed"))));
            }
        }
        return figures;
    }

    private static Map<String, String> activity(JsonPath served) {
        Map<String, Object> activity = served.getMap("data.programAnalytics.activity");
        return new TreeMap<>(Map.of("asOfDay", activity.get("asOfDay").toString(), "members", n(activity.get("members")),
                "active", n(activity.get("activeMembers")), "churned", n(activity.get("churnedMembers")),
                "everActive", n(activity.get("everActive"))));
    }

    private static Map<String, String> segments(JsonPath served) {
        Map<String, String> figures = new TreeMap<>();
        for (Map<String, Object> segment : served.<Map<String, Object>>getList("data.programAnalytics.valueSegments")) {
            if (!n(segment.get("members")).equals("0")) {
                figures.put(segment.get("segment").toString(), String.join("|", n(segment.get("members")), n(segment.get("spend")),
                        n(segment.get("visits")), n(segment.get("pointsEarned")), n(segment.get("pointsRedeemed"))));
            }
        }
        return figures;
    }

    private void assertCohortValue(Independent truth, JsonPath served, String scope) throws SQLException {
        Map<String, BigDecimal[]> expected = truth.cohortValue(36);
        List<Map<String, Object>> cohorts = served.getList("data.programAnalytics.cohortValue");
        assertEquals(expected.keySet(), new java.util.TreeSet<>(cohorts.stream().map(c -> c.get("cohortMonth").toString()).toList()),
                scope + ": cohorts of the value");
        for (Map<String, Object> cohort : cohorts) {
            BigDecimal[] values = expected.get(cohort.get("cohortMonth").toString());
            assertEquals(n(values[0]), n(cohort.get("historicalClv")), scope + ": historical CLV " + cohort);
            assertEquals(values[1].doubleValue(), ((BigDecimal) cohort.get("projectedClv")).doubleValue(), 0.001,
                    scope + ": projected CLV " + cohort);
        }
    }

    private static Map<String, String> campaign(JsonPath served, String campaign) {
        Map<String, Object> roi = served.<Map<String, Object>>getList("data.programAnalytics.campaignRoi").stream()
                .filter(c -> campaign.equals(c.get("campaignId"))).findFirst().orElseThrow();
        Map<String, String> figures = new TreeMap<>();
        figures.put("bonus", n(roi.get("bonusPoints")) + "|" + n(roi.get("cost")));
        for (String group : List.of("rewarded", "control")) {
            Map<String, Object> g = (Map<String, Object>) roi.get(group);
            figures.put(group, String.join("|", n(g.get("members")), n(g.get("spendBefore")), n(g.get("spendDuring")),
                    n(g.get("visitsBefore")), n(g.get("visitsDuring"))));
        }
        return figures;
    }

    private static Map<String, String> performance(JsonPath served) {
        Map<String, String> figures = new TreeMap<>();
        for (Map<String, Object> p : served.<Map<String, Object>>getList("data.programAnalytics.rewardPerformance")) {
            figures.put(p.get("partnerId").toString(), String.join("|", n(p.get("pointsIssued")), n(p.get("bonusPointsFunded")),
                    n(p.get("pointsRedeemedHere")), n(p.get("ownPointsRedeemed")), n(p.get("ownPointsRedeemedElsewhere")),
                    n(p.get("pointsExpired")), n(p.get("pointsReversed")), n(p.get("liabilityOutstanding")),
                    rounded(p.get("breakageRate")), rounded(p.get("averageDaysEarnToBurn"))));
        }
        return figures;
    }

    private static Map<String, String> flows(JsonPath served) {
        Map<String, String> figures = new TreeMap<>();
        for (Map<String, Object> f : served.<Map<String, Object>>getList("data.programAnalytics.crossBrandFlows")) {
            assertEquals(false, f.get("suppressed"));
            figures.put(f.get("month") + " " + f.get("earnedAt") + ">" + f.get("burnedAt"), String.join("|", n(f.get("points")),
                    n(f.get("members")), rounded(f.get("averageDaysEarnToBurn"))));
        }
        return figures;
    }

    static String rounded(Object value) {
        return value == null ? "null" : new BigDecimal(value.toString()).setScale(6, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
    }

    // ------------------------------------------------------------------ the same figures from the raw rows

    /** Straight group-bys over the ledger as of the watermark; shares no code or table with the aggregation. */
    static final class Independent {
        private final Connection db;
        private final String scope;
        private final Timestamp watermark;
        private final Instant asOf;

        Independent(Connection db, String scope, Instant watermark) {
            this.db = db;
            this.scope = scope;
            this.watermark = Timestamp.from(watermark);
            this.asOf = watermark;
        }

        private static final String ACTIVITY = "with act as (select j.member_id, j.kind, j.points, j.occurred_at, j.posted_at, "
                + "case when j.kind = 'EARN' and j.currency = 'EUR' then coalesce(j.purchase_amount, 0) else 0 end as spend "
                + "from journal_entries j where j.kind in ('EARN', 'REDEMPTION', 'DONATION') and j.posted_at < ? "
                + "and (? = '*' or j.partner_id = ?)), "
                + "cohort as (select m.id as member_id, date_trunc('month', m.enrolled_at at time zone 'UTC')::date as cohort "
                + "from members m where ? = '*' and m.enrolled_at < ? "
                + "union all (select distinct on (member_id) member_id, date_trunc('month', occurred_at at time zone 'UTC')::date "
                + "from act where ? <> '*' order by member_id, posted_at, occurred_at)) ";

        private PreparedStatement prepare(String select) throws SQLException {
            PreparedStatement statement = db.prepareStatement(ACTIVITY + select);
            statement.setTimestamp(1, watermark);
            statement.setString(2, scope);
            statement.setString(3, scope);
            statement.setString(4, scope);
            statement.setTimestamp(5, watermark);
            statement.setString(6, scope);
            return statement;
        }

        Map<String, String> retention() throws SQLException {
            Map<String, String> figures = new TreeMap<>();
            try (PreparedStatement sizes = prepare("select to_char(cohort, 'YYYY-MM'), count(*) from cohort group by cohort");
                    ResultSet rows = sizes.executeQuery()) {
                while (rows.next()) {
                    figures.put(rows.getString(1) + " size", rows.getString(2));
                }
            }
            try (PreparedStatement months = prepare("select to_char(c.cohort, 'YYYY-MM'), "
                    + "to_char(date_trunc('month', a.occurred_at at time zone 'UTC'), 'YYYY-MM'), count(distinct a.member_id), sum(a.spend), "
                    + "count(*) filter (where a.kind = 'EARN'), coalesce(sum(a.points) filter (where a.kind = 'EARN'), 0), "
                    + "coalesce(sum(-a.points) filter (where a.kind <> 'EARN'), 0) "
                    + "from cohort c join act a using (member_id) group by 1, 2");
                    ResultSet rows = months.executeQuery()) {
                while (rows.next()) {
                    figures.put(rows.getString(1) + " " + rows.getString(2), String.join("|", rows.getString(3), n(rows.getBigDecimal(4)),
                            rows.getString(5), rows.getString(6), rows.getString(7)));
                }
            }
            return figures;
        }

        Map<String, String> activity(int churnAfterDays) throws SQLException {
            LocalDate today = asOf.atOffset(ZoneOffset.UTC).toLocalDate();
            try (PreparedStatement statement = prepare("select (select count(*) from cohort), "
                    + "count(*) filter (where last > ?::date - ?), count(*) filter (where last <= ?::date - ?) "
                    + "from (select member_id, max((occurred_at at time zone 'UTC')::date) as last from act group by member_id) l")) {
                statement.setObject(7, today);
                statement.setInt(8, churnAfterDays);
                statement.setObject(9, today);
                statement.setInt(10, churnAfterDays);
                try (ResultSet row = statement.executeQuery()) {
                    row.next();
                    long active = row.getLong(2);
                    long churned = row.getLong(3);
                    return new TreeMap<>(Map.of("asOfDay", today.toString(), "members", row.getString(1), "active", String.valueOf(active),
                            "churned", String.valueOf(churned), "everActive", String.valueOf(active + churned)));
                }
            }
        }

        Map<String, String> segments() throws SQLException {
            Map<String, long[]> counts = new TreeMap<>();
            Map<String, BigDecimal> spend = new HashMap<>();
            try (PreparedStatement statement = prepare("select c.member_id, coalesce(sum(a.spend), 0), count(a.*) filter (where a.kind = 'EARN'), "
                    + "coalesce(sum(a.points) filter (where a.kind = 'EARN'), 0), coalesce(sum(-a.points) filter (where a.kind <> 'EARN'), 0) "
                    + "from cohort c left join act a using (member_id) group by c.member_id");
                    ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    BigDecimal lifetime = rows.getBigDecimal(2);
                    String segment = lifetime.signum() <= 0 ? "NO_SPEND" : lifetime.compareTo(THRESHOLDS.get(0)) >= 0 ? "TOP"
                            : lifetime.compareTo(THRESHOLDS.get(1)) >= 0 ? "HIGH" : lifetime.compareTo(THRESHOLDS.get(2)) >= 0 ? "MEDIUM" : "LOW";
                    long[] c = counts.computeIfAbsent(segment, key -> new long[4]);
                    c[0]++;
                    c[1] += rows.getLong(3);
                    c[2] += rows.getLong(4);
                    c[3] += rows.getLong(5);
                    spend.merge(segment, lifetime, BigDecimal::add);
                }
            }
            Map<String, String> figures = new TreeMap<>();
            counts.forEach((segment, c) -> figures.put(segment, String.join("|", String.valueOf(c[0]), n(spend.get(segment)),
                    String.valueOf(c[1]), String.valueOf(c[2]), String.valueOf(c[3]))));
            return figures;
        }

        /** Per cohort: historical CLV (spend / members, 4 places) and projected CLV, from the retention figures above. */
        Map<String, BigDecimal[]> cohortValue(int horizonMonths) throws SQLException {
            Map<String, String> retention = retention();
            YearMonth last = YearMonth.from(asOf.atOffset(ZoneOffset.UTC)).minusMonths(1);
            long kept = 0;
            long before = 0;
            Map<String, BigDecimal> spend = new TreeMap<>();
            Map<String, BigDecimal> lastSpend = new HashMap<>();
            for (Map.Entry<String, String> figure : retention.entrySet()) {
                String[] key = figure.getKey().split(" ");
                if (key[1].equals("size")) {
                    spend.putIfAbsent(key[0], BigDecimal.ZERO);
                    continue;
                }
                String[] values = figure.getValue().split("\\|");
                spend.merge(key[0], new BigDecimal(values[1]), BigDecimal::add);
                if (key[1].equals(last.toString())) {
                    lastSpend.put(key[0], new BigDecimal(values[1]));
                    if (YearMonth.parse(key[0]).isBefore(last)) {
                        kept += Long.parseLong(values[0]);
                    }
                }
                if (key[1].equals(last.minusMonths(1).toString())) {
                    before += Long.parseLong(values[0]);
                }
            }
            double r = before == 0 ? 0 : Math.min(0.99, (double) kept / before);
            double months = 0;
            for (int k = 1; k <= horizonMonths; k++) {
                months += Math.pow(r, k);
            }
            Map<String, BigDecimal[]> values = new TreeMap<>();
            for (Map.Entry<String, BigDecimal> cohort : spend.entrySet()) {
                BigDecimal size = new BigDecimal(retention.get(cohort.getKey() + " size"));
                BigDecimal historical = cohort.getValue().divide(size, 4, RoundingMode.HALF_EVEN);
                BigDecimal perMember = lastSpend.getOrDefault(cohort.getKey(), BigDecimal.ZERO).divide(size, 4, RoundingMode.HALF_EVEN);
                values.put(cohort.getKey(), new BigDecimal[] { historical, historical.add(perMember.multiply(BigDecimal.valueOf(months))) });
            }
            return values;
        }

        /**
         * A campaign's windows: the equally long window before it and its own, until it ends or is paused (its last status
         * change). Earns at its partner in them, and its bonuses, as of the watermark.
         */
        private static final String CAMPAIGN = "with c as (select *, starts_at - (ends_at - starts_at) as collects_from, "
                + "case when status in ('ENDED', 'PAUSED') then least(ends_at, updated_at) else ends_at end as collects_until "
                + "from campaigns where id = ?::uuid), "
                + "earns as (select j.member_id, j.occurred_at < c.starts_at as before, coalesce(j.purchase_amount, 0) as spend "
                + "from journal_entries j, c where j.partner_id = c.partner_id and j.kind = 'EARN' and j.posted_at < ? "
                + "and j.occurred_at >= c.collects_from and j.occurred_at < c.collects_until), "
                + "bonuses as (select g.member_id, g.points, (select coalesce(sum(r.amount), 0) from settlement_records r "
                + "where r.entry_id = g.entry_id and r.kind = 'ISSUANCE_FEE') as cost from bonus_grants g join journal_entries j "
                + "on j.id = g.entry_id where g.campaign_id = (select id from c) and j.posted_at < ?) ";

        /** Per member of the campaign: rewarded, spend before and during, visits before and during; and its bonuses. */
        private record CampaignMember(String id, boolean rewarded, BigDecimal spendBefore, BigDecimal spendDuring, long visitsBefore,
                long visitsDuring) {
        }

        /** The campaign's sample: its level, and the members in it (README "Program analytics", campaignRoi). */
        record Sample(int level, Set<String> members) {
        }

        private List<CampaignMember> campaignMembers(String campaign) throws SQLException {
            String sql = CAMPAIGN + ", touched as (select member_id from earns union select member_id from bonuses) "
                    + "select t.member_id, t.member_id in (select member_id from bonuses), "
                    + "coalesce((select sum(spend) from earns e where e.member_id = t.member_id and e.before), 0), "
                    + "coalesce((select sum(spend) from earns e where e.member_id = t.member_id and not e.before), 0), "
                    + "(select count(*) from earns e where e.member_id = t.member_id and e.before), "
                    + "(select count(*) from earns e where e.member_id = t.member_id and not e.before) from touched t";
            List<CampaignMember> members = new ArrayList<>();
            try (PreparedStatement statement = campaignStatement(sql, campaign); ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    members.add(new CampaignMember(rows.getString(1), rows.getBoolean(2), rows.getBigDecimal(3), rows.getBigDecimal(4),
                            rows.getLong(5), rows.getLong(6)));
                }
            }
            return members;
        }

        private PreparedStatement campaignStatement(String sql, String campaign) throws SQLException {
            PreparedStatement statement = db.prepareStatement(sql);
            statement.setString(1, campaign);
            statement.setTimestamp(2, watermark);
            statement.setTimestamp(3, watermark);
            return statement;
        }

        /**
         * The lowest level j at which at most {@code size} eligible members (an earn in the windows) have
         * x = h(member) xor h(campaign) with x >> (32 - j) = 0, h = the first 32 bits of md5 of the id's text.
         */
        Sample campaignSample(String campaign, int size) throws SQLException {
            long campaignHash = hash(campaign);
            List<CampaignMember> eligible = campaignMembers(campaign).stream().filter(m -> m.visitsBefore() + m.visitsDuring() > 0).toList();
            for (int level = 0; ; level++) {
                int shift = 32 - level;
                Set<String> sample = new HashSet<>();
                eligible.stream().filter(m -> ((hash(m.id()) ^ campaignHash) >>> shift) == 0).forEach(m -> sample.add(m.id()));
                if (sample.size() <= size || level == 32) {
                    return new Sample(level, sample);
                }
            }
        }

        private static long hash(String id) {
            try {
                byte[] md5 = MessageDigest.getInstance("MD5").digest(id.getBytes(StandardCharsets.UTF_8));
                return ((md5[0] & 0xffL) << 24) | ((md5[1] & 0xffL) << 16) | ((md5[2] & 0xffL) << 8) | (md5[3] & 0xffL);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The rewarded group is every member it rewarded; the control group, the members of its sample it did not. */
        Map<String, String> campaign(String campaign, int size) throws SQLException {
            Set<String> sample = campaignSample(campaign, size).members();
            Map<String, String> figures = new TreeMap<>();
            List<CampaignMember> members = campaignMembers(campaign);
            figures.put("rewarded", group(members.stream().filter(CampaignMember::rewarded).toList()));
            figures.put("control", group(members.stream().filter(m -> !m.rewarded() && sample.contains(m.id())).toList()));
            try (PreparedStatement statement = campaignStatement(CAMPAIGN + "select coalesce(sum(points), 0), coalesce(sum(cost), 0) "
                    + "from bonuses", campaign); ResultSet row = statement.executeQuery()) {
                row.next();
                figures.put("bonus", row.getString(1) + "|" + n(row.getBigDecimal(2)));
            }
            return figures;
        }

        private static String group(List<CampaignMember> members) {
            return String.join("|", String.valueOf(members.size()),
                    n(members.stream().map(CampaignMember::spendBefore).reduce(BigDecimal.ZERO, BigDecimal::add)),
                    n(members.stream().map(CampaignMember::spendDuring).reduce(BigDecimal.ZERO, BigDecimal::add)),
                    String.valueOf(members.stream().mapToLong(CampaignMember::visitsBefore).sum()),
                    String.valueOf(members.stream().mapToLong(CampaignMember::visitsDuring).sum()));
        }

        /** Purchases of members the campaign rewarded, at its partner after it stopped but inside its window and the watermark. */
        long earnsAfterStopOfRewardedMembers(String campaign) throws SQLException {
            String sql = CAMPAIGN + "select count(*) from journal_entries j, c where j.partner_id = c.partner_id and j.kind = 'EARN' "
                    + "and j.posted_at < ? and j.occurred_at >= c.collects_until and j.occurred_at < c.ends_at "
                    + "and j.member_id in (select member_id from bonuses)";
            try (PreparedStatement statement = campaignStatement(sql, campaign)) {
                statement.setTimestamp(4, watermark);
                try (ResultSet row = statement.executeQuery()) {
                    row.next();
                    return row.getLong(1);
                }
            }
        }

        /** Lot draws of redemptions and donations, and of their reversals (negative), with the entry and the lot. */
        private static final String BURNS = "select c.issuer_id, c.partner_id as redeemer, c.member_id, c.points, e.kind, e.occurred_at, "
                + "l.earned_at from lot_consumptions c join journal_entries e on e.id = c.entry_id join lots l on l.id = c.lot_id "
                + "left join journal_entries o on o.id = e.reverses_id where e.posted_at < ? "
                + "and (e.kind in ('REDEMPTION', 'DONATION') or (e.kind = 'REVERSAL' and o.kind in ('REDEMPTION', 'DONATION')))";

        Map<String, String> performance() throws SQLException {
            String sql = "with burns as (" + BURNS + "), "
                    + "issued as (select l.issuer_id, j.kind, sum(l.points) as points from lots l join journal_entries j on j.id = l.entry_id "
                    + "where j.kind in ('EARN', 'BONUS') and j.posted_at < ? group by 1, 2), "
                    + "draws as (select c.issuer_id, case when e.kind = 'EXPIRY' then 'EXPIRED' else 'REVERSED' end as kind, sum(c.points) as points "
                    + "from lot_consumptions c join journal_entries e on e.id = c.entry_id left join journal_entries o on o.id = e.reverses_id "
                    + "where e.posted_at < ? and (e.kind = 'EXPIRY' or (e.kind = 'REVERSAL' and o.kind in ('EARN', 'BONUS'))) group by 1, 2), "
                    + "partners as (select issuer_id as id from issued union select issuer_id from burns union select redeemer from burns "
                    + "union select issuer_id from draws) "
                    + "select p.id, "
                    + "coalesce((select points from issued where issuer_id = p.id and kind = 'EARN'), 0), "
                    + "coalesce((select points from issued where issuer_id = p.id and kind = 'BONUS'), 0), "
                    + "coalesce((select sum(points) from burns where redeemer = p.id), 0), "
                    + "coalesce((select sum(points) from burns where issuer_id = p.id), 0), "
                    + "coalesce((select sum(points) from burns where issuer_id = p.id and redeemer <> p.id), 0), "
                    + "coalesce((select points from draws where issuer_id = p.id and kind = 'EXPIRED'), 0), "
                    + "coalesce((select points from draws where issuer_id = p.id and kind = 'REVERSED'), 0), "
                    + "coalesce((select sum(remaining) from lots where issuer_id = p.id), 0), "
                    + "(select sum(points * extract(epoch from occurred_at - earned_at)) / nullif(sum(points), 0) / 86400 from burns "
                    + "where issuer_id = p.id) from partners p";
            Map<String, String> figures = new TreeMap<>();
            try (PreparedStatement statement = db.prepareStatement(sql)) {
                statement.setTimestamp(1, watermark);
                statement.setTimestamp(2, watermark);
                statement.setTimestamp(3, watermark);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        long issued = rows.getLong(2) + rows.getLong(3);
                        long expired = rows.getLong(7);
                        figures.put(rows.getString(1), String.join("|", rows.getString(2), rows.getString(3), rows.getString(4), rows.getString(5),
                                rows.getString(6), rows.getString(7), rows.getString(8), rows.getString(9),
                                issued == 0 ? "null" : rounded((double) expired / issued), rounded(rows.getBigDecimal(10))));
                    }
                }
            }
            return figures;
        }

        Map<String, String> flows() throws SQLException {
            String sql = "select to_char(date_trunc('month', occurred_at at time zone 'UTC'), 'YYYY-MM'), issuer_id, redeemer, sum(points), "
                    + "count(distinct member_id) filter (where kind <> 'REVERSAL'), "
                    + "sum(points * extract(epoch from occurred_at - earned_at)) / nullif(sum(points), 0) / 86400 "
                    + "from (" + BURNS + ") b group by 1, 2, 3";
            Map<String, String> figures = new TreeMap<>();
            try (PreparedStatement statement = db.prepareStatement(sql)) {
                statement.setTimestamp(1, watermark);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        figures.put(rows.getString(1) + " " + rows.getString(2) + ">" + rows.getString(3), String.join("|", rows.getString(4),
                                rows.getString(5), rounded(rows.getBigDecimal(6))));
                    }
                }
            }
            return figures;
        }
    }

    @Test
    void theProjectionSumsTheRetainedMonthsAndStopsShortOfCertainty() {
        assertEquals(0.5 + 0.25 + 0.125, AnalyticsFormulas.expectedActiveMonths(0.5, 3), 1e-12);
        assertEquals(0, AnalyticsFormulas.expectedActiveMonths(0, 36));
        assertTrue(AnalyticsFormulas.expectedActiveMonths(1.0, 36) < 36);
        assertEquals(new BigDecimal("115.0000"), AnalyticsFormulas.projectedClv(new BigDecimal("100"), new BigDecimal("20"), 0.5, 2)
                .add(new BigDecimal("0")).setScale(4));
    }
}
