package org.coalition.gateway.analytics;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Program analytics (prefix {@code coalition.analytics}); README "Program analytics". */
@ConfigMapping(prefix = "coalition.analytics")
public interface AnalyticsConfig {

    /** Cross-brand figures about fewer members than this are suppressed in a partner's view. */
    @WithDefault("20")
    int minGroupSize();

    /** A member with no earn or burn for this many days counts as churned, unless a query asks otherwise. */
    @WithDefault("90")
    int churnAfterDays();

    /** How often the aggregates are brought up to date with the ledger. */
    @WithDefault("30s")
    Duration refreshInterval();

    /** Whether this replica runs the aggregation job (one replica at a time does, under an advisory lock). */
    @WithDefault("true")
    boolean refreshEnabled();

    /** Journal entries folded per transaction of the job at most. */
    @WithDefault("20000")
    int refreshBatchSize();

    /** Batches per run at most; the next run goes on. */
    @WithDefault("50")
    int refreshMaxBatchesPerRun();

    /** How far behind now the watermark stays at least, for transactions too young to show as running. */
    @WithDefault("2s")
    Duration watermarkLag();

    /** Transactions running longer than this are not waited for (a forgotten session must not stop the analytics). */
    @WithDefault("10m")
    Duration maxTransactionAge();

    /** Statement timeout of one batch of the job (the gateway's role has 5 s). */
    @WithDefault("120s")
    Duration refreshStatementTimeout();

    /** Lifetime spend from which a member is TOP, HIGH, MEDIUM (descending; LOW below, NO_SPEND at zero). */
    @WithDefault("1000,250,50")
    List<BigDecimal> valueSegments();

    /**
     * Eligible members a campaign's sample holds at most, the control group being those of them it did not reward
     * (README "Program analytics", campaignRoi). A campaign keeps the size in force when the job first saw it.
     */
    @WithDefault("1000")
    int controlGroupSize();

    /** Months ahead the projected customer lifetime value counts. */
    @WithDefault("36")
    int projectionMonths();

    /** Months a figure covers when the query names none. */
    @WithDefault("12")
    int defaultMonths();

    /** Rows of one figure at most (months x partners x partners for flows). */
    @WithDefault("10000")
    int maxRows();
}
