package org.coalition.gateway.analytics;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.analytics.AnalyticsTypes.CampaignRoi;
import org.coalition.gateway.analytics.AnalyticsTypes.CohortValue;
import org.coalition.gateway.analytics.AnalyticsTypes.CrossBrandFlow;
import org.coalition.gateway.analytics.AnalyticsTypes.MemberActivity;
import org.coalition.gateway.analytics.AnalyticsTypes.ProgramAnalytics;
import org.coalition.gateway.analytics.AnalyticsTypes.RetentionCohort;
import org.coalition.gateway.analytics.AnalyticsTypes.RewardPerformance;
import org.coalition.gateway.analytics.AnalyticsTypes.ValueSegment;
import org.coalition.gateway.operations.OperationMetrics;
import org.coalition.gateway.tenancy.CallerAugmentor;
import org.coalition.gateway.tenancy.CurrentCaller;
import org.coalition.gateway.tenancy.ExplainedRefusals;

/** Program analytics: partners read their own (scope analytics:read), analysts and operators the coalition's. */
@GraphQLApi
@ExplainedRefusals
@OperationMetrics
public class AnalyticsApi {

    static final String READ = "analytics:read";

    private final AnalyticsService analytics;
    private final CurrentCaller caller;

    public AnalyticsApi(AnalyticsService analytics, CurrentCaller caller) {
        this.analytics = analytics;
        this.caller = caller;
    }

    @Query("programAnalytics")
    @PermissionsAllowed({ READ, CallerAugmentor.ANALYTICS_READ_ALL })
    @Description("Program analytics. Partners: their own view (partnerId omitted or their own). Analysts and operators: the "
            + "coalition, or the named partner's view.")
    public @NonNull Uni<ProgramAnalytics> programAnalytics(@Name("partnerId") String partnerId) {
        return caller.get().flatMap(c -> analytics.analytics(c, partnerId));
    }

    @Description("Monthly cohorts and the share of each active in every month since.")
    public @NonNull Uni<List<@NonNull RetentionCohort>> retention(@Source ProgramAnalytics scope, @Name("fromMonth") String fromMonth,
            @Name("toMonth") String toMonth) {
        return caller.get().flatMap(c -> analytics.retention(c, scope.partnerId(), fromMonth, toMonth));
    }

    @Description("Members active and churned: no earn or burn for more than churnAfterDays (default coalition.analytics.churn-after-days).")
    public @NonNull Uni<MemberActivity> activity(@Source ProgramAnalytics scope, @Name("churnAfterDays") Integer churnAfterDays) {
        return caller.get().flatMap(c -> analytics.activity(c, scope.partnerId(), churnAfterDays));
    }

    @Description("The customer pyramid: members by lifetime spend.")
    public @NonNull Uni<List<@NonNull ValueSegment>> valueSegments(@Source ProgramAnalytics scope) {
        return caller.get().flatMap(c -> analytics.valueSegments(c, scope.partnerId()));
    }

    @Description("Historical and projected customer lifetime value per cohort.")
    public @NonNull Uni<List<@NonNull CohortValue>> cohortValue(@Source ProgramAnalytics scope, @Name("fromMonth") String fromMonth,
            @Name("toMonth") String toMonth) {
        return caller.get().flatMap(c -> analytics.cohortValue(c, scope.partnerId(), fromMonth, toMonth));
    }

    @Description("Each campaign's cost against the spend of the members it rewarded and of a control group.")
    public @NonNull Uni<List<@NonNull CampaignRoi>> campaignRoi(@Source ProgramAnalytics scope) {
        return caller.get().flatMap(c -> analytics.campaignRoi(c, scope.partnerId()));
    }

    @Description("Points issued, redeemed, expired and outstanding per partner.")
    public @NonNull Uni<List<@NonNull RewardPerformance>> rewardPerformance(@Source ProgramAnalytics scope,
            @Name("fromMonth") String fromMonth, @Name("toMonth") String toMonth) {
        return caller.get().flatMap(c -> analytics.rewardPerformance(c, scope.partnerId(), fromMonth, toMonth));
    }

    @Description("Where points are earned and where they are burned, per month.")
    public @NonNull Uni<List<@NonNull CrossBrandFlow>> crossBrandFlows(@Source ProgramAnalytics scope,
            @Name("fromMonth") String fromMonth, @Name("toMonth") String toMonth) {
        return caller.get().flatMap(c -> analytics.crossBrandFlows(c, scope.partnerId(), fromMonth, toMonth));
    }
}
