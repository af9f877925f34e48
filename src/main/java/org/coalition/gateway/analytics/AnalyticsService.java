package org.coalition.gateway.analytics;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.security.ForbiddenException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;

import org.coalition.gateway.analytics.AnalyticsTypes.CampaignGroup;
import org.coalition.gateway.analytics.AnalyticsTypes.CampaignRoi;
import org.coalition.gateway.analytics.AnalyticsTypes.CohortMonth;
import org.coalition.gateway.analytics.AnalyticsTypes.CohortValue;
import org.coalition.gateway.analytics.AnalyticsTypes.CrossBrandFlow;
import org.coalition.gateway.analytics.AnalyticsTypes.MemberActivity;
import org.coalition.gateway.analytics.AnalyticsTypes.ProgramAnalytics;
import org.coalition.gateway.analytics.AnalyticsTypes.RetentionCohort;
import org.coalition.gateway.analytics.AnalyticsTypes.RewardPerformance;
import org.coalition.gateway.analytics.AnalyticsTypes.ValueSegment;
import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.InvalidArgument;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.Permission;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * The figures of the program analytics, computed from the aggregates (never from the ledger) in the caller's session.
 * A partner always gets its own view: its own customers and transactions, and cross-brand flows only in aggregate,
 * suppressed below the minimum group size. Analysts and operators get the coalition, or any partner's view unsuppressed.
 */
@ApplicationScoped
public class AnalyticsService {

    static final String COALITION = "*";
    /** The longest range of months one query may cover. */
    static final int MAX_RANGE_MONTHS = 120;

    private final TenantSessions sessions;
    private final AnalyticsRepository repository;
    private final AnalyticsConfig config;
    private final String currency;

    public AnalyticsService(TenantSessions sessions, AnalyticsRepository repository, AnalyticsConfig config,
            CoalitionConfig coalition) {
        this.sessions = sessions;
        this.repository = repository;
        this.config = config;
        this.currency = coalition.settlement().currency();
    }

    /** Whose figures a caller reads: the coalition ({@code *}) or one partner, and whether cross-brand rows are suppressed. */
    record View(String scope, boolean suppressed) {
        String partnerId() {
            return COALITION.equals(scope) ? null : scope;
        }
    }

    static View viewOf(Caller caller, String partnerId) {
        return switch (caller.kind()) {
            case PARTNER -> {
                if (!caller.permissions().contains(Permission.ANALYTICS_READ)
                        || (partnerId != null && !partnerId.equals(caller.partnerId()))) {
                    throw new ForbiddenException();
                }
                yield new View(caller.partnerId(), true);
            }
            case ANALYST, OPERATOR -> new View(partnerId == null ? COALITION : partnerId, false);
            default -> throw new ForbiddenException();
        };
    }

    @WithSpan
    public Uni<ProgramAnalytics> analytics(Caller caller, String partnerId) {
        View view = viewOf(caller, partnerId);
        return read(caller, connection -> repository.watermark(connection)).map(watermark -> new ProgramAnalytics(
                view.partnerId() == null ? "COALITION" : view.partnerId(), view.partnerId(), asOf(watermark), currency,
                config.minGroupSize()));
    }

    /** A figure read in one transaction of the caller: the watermark first, then the figure as of it. */
    private <T> Uni<T> figure(Caller caller, String partnerId, BiFunction<SqlConnection, Instant, Uni<T>> work) {
        return read(caller, connection -> repository.watermark(connection)
                .flatMap(watermark -> work.apply(connection, asOf(watermark))));
    }

    private <T> Uni<T> read(Caller caller, java.util.function.Function<SqlConnection, Uni<T>> work) {
        return sessions.inTransaction(caller, work);
    }

    static Instant asOf(OffsetDateTime watermark) {
        return watermark == null || watermark.getYear() < 1970 ? Instant.EPOCH : watermark.toInstant();
    }

    // ------------------------------------------------------------------ retention

    public Uni<List<RetentionCohort>> retention(Caller caller, String partnerId, String fromMonth, String toMonth) {
        View view = viewOf(caller, partnerId);
        return figure(caller, partnerId, (connection, asOf) -> {
            Range range = range(fromMonth, toMonth, asOf);
            return repository.retention(connection, view.scope(), range.from(), range.to(), config.maxRows()).map(rows -> {
                Map<String, RetentionCohort> cohorts = new LinkedHashMap<>();
                for (Row row : rows) {
                    YearMonth cohort = YearMonth.from(row.getLocalDate("cohort_month"));
                    long members = row.getInteger("members");
                    RetentionCohort into = cohorts.computeIfAbsent(cohort.toString(),
                            key -> new RetentionCohort(key, members, new ArrayList<>()));
                    if (row.getLocalDate("month") != null) {
                        YearMonth month = YearMonth.from(row.getLocalDate("month"));
                        long active = row.getInteger("active_members");
                        into.months().add(new CohortMonth((int) cohort.until(month, ChronoUnit.MONTHS), month.toString(), active,
                                members == 0 ? 0 : (double) active / members, row.getBigDecimal("spend"), row.getLong("visits"),
                                row.getLong("points_earned"), row.getLong("points_redeemed")));
                    }
                }
                return List.copyOf(cohorts.values());
            });
        });
    }

    // ------------------------------------------------------------------ activity and churn

    public Uni<MemberActivity> activity(Caller caller, String partnerId, Integer churnAfterDays) {
        View view = viewOf(caller, partnerId);
        int days = churnAfterDays == null ? config.churnAfterDays() : churnAfterDays;
        if (days < 1 || days > 3660) {
            throw new InvalidArgument("churnAfterDays must be between 1 and 3660");
        }
        return figure(caller, partnerId, (connection, asOf) -> {
            LocalDate today = asOf.atOffset(ZoneOffset.UTC).toLocalDate();
            return repository.activity(connection, view.scope(), today.minusDays(days)).map(row -> {
                long active = row.getLong("active");
                long churned = row.getLong("churned");
                return new MemberActivity(today.toString(), days, row.getLong("members"), active + churned, active, churned,
                        AnalyticsFormulas.ratio(churned, active + churned));
            });
        });
    }

    // ------------------------------------------------------------------ customer value

    public Uni<List<ValueSegment>> valueSegments(Caller caller, String partnerId) {
        View view = viewOf(caller, partnerId);
        List<BigDecimal> bounds = config.valueSegments();
        return figure(caller, partnerId, (connection, asOf) -> repository.segments(connection, view.scope()).map(rows -> {
            Map<String, Row> bySegment = new HashMap<>();
            long all = 0;
            for (Row row : rows) {
                bySegment.put(row.getString("segment"), row);
                all += row.getInteger("members");
            }
            List<ValueSegment> pyramid = new ArrayList<>();
            List<String> order = AnalyticsRepository.segmentOrder();
            for (int i = 0; i < order.size(); i++) {
                Row row = bySegment.get(order.get(i));
                BigDecimal lowerBound = i < bounds.size() ? bounds.get(i) : i == 3 ? BigDecimal.ZERO : null;
                long members = row == null ? 0 : row.getInteger("members");
                BigDecimal spend = row == null ? BigDecimal.ZERO : row.getBigDecimal("spend");
                long visits = row == null ? 0 : row.getLong("visits");
                long earned = row == null ? 0 : row.getLong("points_earned");
                long redeemed = row == null ? 0 : row.getLong("points_redeemed");
                pyramid.add(new ValueSegment(order.get(i), lowerBound, members, all == 0 ? 0 : (double) members / all, spend, visits,
                        earned, redeemed, AnalyticsFormulas.perMember(spend, members), AnalyticsFormulas.ratio(visits, members),
                        AnalyticsFormulas.ratio(earned, members)));
            }
            return pyramid;
        }));
    }

    public Uni<List<CohortValue>> cohortValue(Caller caller, String partnerId, String fromMonth, String toMonth) {
        View view = viewOf(caller, partnerId);
        return figure(caller, partnerId, (connection, asOf) -> {
            Range range = range(fromMonth, toMonth, asOf);
            YearMonth lastComplete = YearMonth.from(asOf.atOffset(ZoneOffset.UTC)).minusMonths(1);
            return repository.monthlyRetention(connection, view.scope(), lastComplete)
                    .flatMap(retention -> {
                        Double r = AnalyticsFormulas.ratio(retention.getLong("kept"), retention.getLong("before"));
                        return repository.cohortValue(connection, view.scope(), range.from(), range.to(), lastComplete)
                                .map(rows -> {
                                    List<CohortValue> values = new ArrayList<>();
                                    for (Row row : rows) {
                                        long members = row.getInteger("members");
                                        BigDecimal spend = row.getBigDecimal("spend");
                                        BigDecimal historical = AnalyticsFormulas.perMember(spend, members);
                                        BigDecimal lastMonth = AnalyticsFormulas.perMember(row.getBigDecimal("last_month_spend"), members);
                                        values.add(new CohortValue(YearMonth.from(row.getLocalDate("cohort_month")).toString(), members,
                                                spend, historical, lastMonth, r, config.projectionMonths(),
                                                AnalyticsFormulas.projectedClv(historical, lastMonth, r, config.projectionMonths())));
                                    }
                                    return values;
                                });
                    });
        });
    }

    // ------------------------------------------------------------------ campaigns

    public Uni<List<CampaignRoi>> campaignRoi(Caller caller, String partnerId) {
        View view = viewOf(caller, partnerId);
        return figure(caller, partnerId, (connection, asOf) -> repository.campaigns(connection, view.scope(), config.maxRows())
                .map(rows -> {
                    Map<String, Row[]> byCampaign = new LinkedHashMap<>();
                    for (Row row : rows) {
                        Row[] groups = byCampaign.computeIfAbsent(row.getUUID("id").toString(), key -> new Row[3]);
                        Boolean rewarded = row.getBoolean("rewarded");
                        groups[rewarded == null ? 2 : rewarded ? 0 : 1] = row;
                    }
                    List<CampaignRoi> roi = new ArrayList<>();
                    byCampaign.forEach((id, groups) -> roi.add(campaignRoi(id, groups)));
                    return roi;
                }));
    }

    private static CampaignRoi campaignRoi(String id, Row[] groups) {
        Row any = groups[0] != null ? groups[0] : groups[1] != null ? groups[1] : groups[2];
        CampaignGroup rewarded = group(groups[0]);
        CampaignGroup control = group(groups[1]);
        BigDecimal cost = groups[0] == null ? BigDecimal.ZERO : groups[0].getBigDecimal("cost_amount");
        long bonus = groups[0] == null ? 0 : groups[0].getLong("bonus_points");
        BigDecimal uplift = AnalyticsFormulas.uplift(rewarded, control);
        BigDecimal incremental = uplift == null ? null : uplift.multiply(BigDecimal.valueOf(rewarded.members()));
        return new CampaignRoi(id, any.getString("name"), any.getString("partner_id"), any.getOffsetDateTime("starts_at").toInstant(),
                any.getOffsetDateTime("ends_at").toInstant(), bonus, cost, rewarded, control, uplift, incremental,
                AnalyticsFormulas.roi(incremental, cost));
    }

    private static CampaignGroup group(Row row) {
        if (row == null) {
            return new CampaignGroup(0, BigDecimal.ZERO, BigDecimal.ZERO, 0, 0, null, null);
        }
        long members = row.getInteger("members");
        BigDecimal before = row.getBigDecimal("spend_before");
        BigDecimal during = row.getBigDecimal("spend_during");
        return new CampaignGroup(members, before, during, row.getLong("visits_before"), row.getLong("visits_during"),
                AnalyticsFormulas.perMember(before, members), AnalyticsFormulas.perMember(during, members));
    }

    // ------------------------------------------------------------------ reward performance and flows

    public Uni<List<RewardPerformance>> rewardPerformance(Caller caller, String partnerId, String fromMonth, String toMonth) {
        View view = viewOf(caller, partnerId);
        return figure(caller, partnerId, (connection, asOf) -> {
            Range range = range(fromMonth, toMonth, asOf);
            return repository.points(connection, view.scope(), range.from(), range.to()).map(rows -> {
                Map<String, long[]> totals = new HashMap<>();
                Map<String, double[]> seconds = new HashMap<>();
                TreeSet<String> partners = new TreeSet<>();
                for (Row row : rows) {
                    String issuer = row.getString("issuer_id");
                    String counterparty = row.getString("counterparty_id");
                    String kind = row.getString("kind");
                    long points = row.getLong("points");
                    long[] own = totals.computeIfAbsent(issuer, key -> new long[Totals.SIZE]);
                    partners.add(issuer);
                    switch (kind) {
                        case "ISSUED" -> own[Totals.ISSUED] += points;
                        case "BONUS" -> own[Totals.BONUS] += points;
                        case "EXPIRED" -> own[Totals.EXPIRED] += points;
                        case "REVERSED" -> own[Totals.REVERSED] += points;
                        case "REDEEMED" -> {
                            own[Totals.OWN_REDEEMED] += points;
                            if (!issuer.equals(counterparty)) {
                                own[Totals.OWN_ELSEWHERE] += points;
                            }
                            totals.computeIfAbsent(counterparty, key -> new long[Totals.SIZE])[Totals.HERE] += points;
                            partners.add(counterparty);
                            seconds.computeIfAbsent(issuer, key -> new double[1])[0] += row.getBigDecimal("point_seconds").doubleValue();
                        }
                        default -> throw new IllegalStateException("unknown analytics point kind " + kind);
                    }
                    long cumulative = row.getLong("cumulative");
                    own[Totals.LIABILITY] += "ISSUED".equals(kind) || "BONUS".equals(kind) ? cumulative : -cumulative;
                }
                List<RewardPerformance> performance = new ArrayList<>();
                for (String partner : partners) {
                    if (view.partnerId() != null && !view.partnerId().equals(partner)) {
                        continue;
                    }
                    long[] t = totals.get(partner);
                    performance.add(new RewardPerformance(partner, range.from().toString(), range.to().toString(), t[Totals.ISSUED],
                            t[Totals.BONUS], t[Totals.HERE], t[Totals.OWN_REDEEMED], t[Totals.OWN_ELSEWHERE], t[Totals.EXPIRED],
                            t[Totals.REVERSED], AnalyticsFormulas.ratio(t[Totals.EXPIRED], t[Totals.ISSUED] + t[Totals.BONUS]),
                            t[Totals.LIABILITY], AnalyticsFormulas.days(seconds.getOrDefault(partner, new double[1])[0],
                                    t[Totals.OWN_REDEEMED])));
                }
                return performance;
            });
        });
    }

    /** Indexes of a partner's running totals. */
    private static final class Totals {
        static final int ISSUED = 0;
        static final int BONUS = 1;
        static final int HERE = 2;
        static final int OWN_REDEEMED = 3;
        static final int OWN_ELSEWHERE = 4;
        static final int EXPIRED = 5;
        static final int REVERSED = 6;
        static final int LIABILITY = 7;
        static final int SIZE = 8;
    }

    public Uni<List<CrossBrandFlow>> crossBrandFlows(Caller caller, String partnerId, String fromMonth, String toMonth) {
        View view = viewOf(caller, partnerId);
        int minimum = config.minGroupSize();
        return figure(caller, partnerId, (connection, asOf) -> {
            Range range = range(fromMonth, toMonth, asOf);
            return repository.flows(connection, view.scope(), range.from(), range.to(), config.maxRows()).map(rows -> {
                List<CrossBrandFlow> flows = new ArrayList<>();
                Map<String, CrossBrandFlow> suppressed = new LinkedHashMap<>();
                for (Row row : rows) {
                    String month = YearMonth.from(row.getLocalDate("month")).toString();
                    String issuer = row.getString("issuer_id");
                    String redeemer = row.getString("counterparty_id");
                    int members = row.getInteger("members");
                    long points = row.getLong("points");
                    boolean crossBrand = !issuer.equals(redeemer);
                    if (view.suppressed() && crossBrand && members < minimum) {
                        // merged: which other partner, and how much, stays in the database
                        boolean earnedHere = issuer.equals(view.scope());
                        CrossBrandFlow merged = new CrossBrandFlow(month, earnedHere ? issuer : null, earnedHere ? null : redeemer,
                                null, null, null, true);
                        suppressed.putIfAbsent(month + (earnedHere ? ">" : "<"), merged);
                        continue;
                    }
                    flows.add(new CrossBrandFlow(month, issuer, redeemer, points, members,
                            AnalyticsFormulas.days(row.getBigDecimal("point_seconds").doubleValue(), points), false));
                }
                flows.addAll(suppressed.values());
                flows.sort(java.util.Comparator.comparing(CrossBrandFlow::month));
                return flows;
            });
        });
    }

    // ------------------------------------------------------------------ months

    record Range(YearMonth from, YearMonth to) {
    }

    Range range(String fromMonth, String toMonth, Instant asOf) {
        YearMonth to = toMonth == null ? YearMonth.from(asOf.atOffset(ZoneOffset.UTC)) : month("toMonth", toMonth);
        YearMonth from = fromMonth == null ? to.minusMonths(config.defaultMonths() - 1L) : month("fromMonth", fromMonth);
        if (from.isAfter(to)) {
            throw new InvalidArgument("fromMonth must not be after toMonth");
        }
        if (from.until(to, ChronoUnit.MONTHS) >= MAX_RANGE_MONTHS) {
            throw new InvalidArgument("at most " + MAX_RANGE_MONTHS + " months at once");
        }
        return new Range(from, to);
    }

    private static YearMonth month(String field, String value) {
        try {
            return YearMonth.parse(value);
        } catch (DateTimeParseException e) {
            throw new InvalidArgument(field + " must be a month written YYYY-MM");
        }
    }
}
