package org.coalition.gateway.analytics;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

/** GraphQL shapes of the program analytics: aggregates only, never a member. */
public final class AnalyticsTypes {

    private AnalyticsTypes() {
    }

    @Type("ProgramAnalytics")
    @Description("Program analytics of the coalition (analysts, operators) or of one partner's own customers. Months are UTC "
            + "calendar months written YYYY-MM; money is in the coalition's settlement currency; figures are as of asOf.")
    public record ProgramAnalytics(
            @NonNull @Description("COALITION, or the partner whose customers these are.") String scope,
            String partnerId,
            @NonNull @Description("Every transaction posted before this is counted, none after.") Instant asOf,
            @NonNull String currency,
            @Description("Cross-brand figures about fewer members are suppressed in a partner's view.") int minimumGroupSize) {
    }

    @Type("RetentionCohort")
    @Description("Members by the month they joined (the coalition: enrolment; a partner: their first earn or burn there).")
    public record RetentionCohort(@NonNull String cohortMonth, long members, @NonNull List<@NonNull CohortMonth> months) {
    }

    @Type("CohortMonth")
    public record CohortMonth(int monthsSinceCohort, @NonNull String month,
            @Description("Members with an earn or a burn in the month (at the partner, in a partner's view).") long activeMembers,
            @Description("activeMembers / the cohort's members.") double retentionRate,
            @NonNull BigDecimal spend, long visits, long pointsEarned, long pointsRedeemed) {
    }

    @Type("MemberActivity")
    public record MemberActivity(@NonNull String asOfDay, int churnAfterDays,
            @Description("The coalition: members enrolled; a partner: its customers.") long members,
            @Description("Members with at least one earn or burn.") long everActive,
            @Description("Members whose last earn or burn is at most churnAfterDays old.") long activeMembers,
            @Description("Members active once, with no earn or burn for more than churnAfterDays.") long churnedMembers,
            @Description("churnedMembers / everActive.") Double churnRate) {
    }

    @Type("ValueSegment")
    @Description("A step of the customer pyramid: members by lifetime spend (TOP, HIGH, MEDIUM, LOW, NO_SPEND).")
    public record ValueSegment(@NonNull String segment, @Description("Lifetime spend from which a member is in it.") BigDecimal lowerBound,
            long members, double shareOfMembers, @NonNull BigDecimal spend, long visits, long pointsEarned, long pointsRedeemed,
            BigDecimal spendPerMember, Double visitsPerMember, Double pointsEarnedPerMember) {
    }

    @Type("CohortValue")
    @Description("Customer lifetime value per cohort. historicalClv = the cohort's spend so far / its members; projectedClv = "
            + "historicalClv + lastMonthSpendPerMember x (r + r^2 + ... + r^H), r = monthlyRetentionRate, H = projectionMonths.")
    public record CohortValue(@NonNull String cohortMonth, long members, @NonNull BigDecimal spend, BigDecimal historicalClv,
            @Description("The cohort's spend in the last complete month / its members.") BigDecimal lastMonthSpendPerMember,
            @Description("Of the members active in the month before the last complete one, the share active in it (all earlier cohorts).")
            Double monthlyRetentionRate, int projectionMonths, BigDecimal projectedClv) {
    }

    @Type("CampaignGroup")
    public record CampaignGroup(long members, @NonNull BigDecimal spendBefore, @NonNull BigDecimal spendDuring, long visitsBefore,
            long visitsDuring, BigDecimal spendBeforePerMember, BigDecimal spendDuringPerMember) {
    }

    @Type("CampaignRoi")
    @Description("A campaign's cost against the spend of the members it rewarded, beside a control group: a deterministic sample "
            + "of at most coalition.analytics.control-group-size members who earned at the partner in the campaign's window or the "
            + "equally long window before it (until it ended or was paused) and were not rewarded. upliftPerMember "
            + "is the rewarded members' change in spend per member (during minus before) less the control group's; "
            + "incrementalSpend = upliftPerMember x rewarded members; roi = (incrementalSpend - cost) / cost.")
    public record CampaignRoi(@NonNull String campaignId, @NonNull String name, @NonNull String partnerId, @NonNull Instant startsAt,
            @NonNull Instant endsAt, long bonusPoints, @Description("What the partner pays for the bonus points (issuance fees).")
            @NonNull BigDecimal cost, @NonNull CampaignGroup rewarded, @NonNull CampaignGroup control, BigDecimal upliftPerMember,
            BigDecimal incrementalSpend, Double roi) {
    }

    @Type("RewardPerformance")
    @Description("Points of one partner over the months asked for. Liability is as of the end of the last month.")
    public record RewardPerformance(@NonNull String partnerId, @NonNull String fromMonth, @NonNull String toMonth,
            @Description("Points members earned at the partner.") long pointsIssued,
            @Description("Bonus points the partner funded (campaigns, tiers, referrals, challenges).") long bonusPointsFunded,
            @Description("Points redeemed or donated at the partner, whoever issued them.") long pointsRedeemedHere,
            @Description("The partner's points redeemed anywhere.") long ownPointsRedeemed,
            long ownPointsRedeemedElsewhere, @Description("The partner's points expired (breakage).") long pointsExpired,
            @Description("The partner's points taken back by reversed earns.") long pointsReversed,
            @Description("pointsExpired / (pointsIssued + bonusPointsFunded).") Double breakageRate,
            @Description("The partner's points still held by members.") long liabilityOutstanding,
            @Description("Points-weighted days from earning the partner's points to burning them.") Double averageDaysEarnToBurn) {
    }

    @Type("CrossBrandFlow")
    @Description("Points earned at one partner and burned at another (or the same) in a month. In a partner's view, flows with "
            + "another partner about fewer than minimumGroupSize members are merged into one suppressed row without figures.")
    public record CrossBrandFlow(@NonNull String month, @Description("The issuer; null in a suppressed row of points earned elsewhere.")
            String earnedAt, @Description("Where they were burned; null in a suppressed row of points burned elsewhere.") String burnedAt,
            Long points, @Description("Distinct members who burned such points in the month.") Integer members,
            Double averageDaysEarnToBurn, boolean suppressed) {
    }
}
