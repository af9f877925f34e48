package org.coalition.gateway.analytics;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Reads of the analytics aggregates (V30), in the caller's session so that row-level security applies underneath:
 * a partner reads its own scope and the point flows it is a side of, never the member-level tables.
 */
@ApplicationScoped
public class AnalyticsRepository {

    static final String WATERMARK = "select watermark from analytics_state where id = 1";
    static final String RETENTION = """
            select s.cohort_month, s.members, m.month, m.active_members, m.spend, m.visits, m.points_earned, m.points_redeemed
            from analytics_cohort_sizes s
            left join analytics_cohort_months m on m.scope = s.scope and m.cohort_month = s.cohort_month
            where s.scope = $1 and s.cohort_month between $2 and $3
            order by s.cohort_month, m.month limit $4
            """;
    static final String ACTIVITY = """
            select (select coalesce(sum(members), 0) from analytics_cohort_sizes where scope = $1) as members,
                   coalesce(sum(members) filter (where day > $2), 0) as active,
                   coalesce(sum(members) filter (where day <= $2), 0) as churned
            from analytics_last_active where scope = $1
            """;
    static final String SEGMENTS = """
            select segment, members, spend, visits, points_earned, points_redeemed from analytics_segments where scope = $1
            """;
    static final String COHORT_VALUE = """
            select s.cohort_month, s.members, coalesce(sum(m.spend), 0) as spend,
                   coalesce(sum(m.spend) filter (where m.month = $4), 0) as last_month_spend
            from analytics_cohort_sizes s
            left join analytics_cohort_months m on m.scope = s.scope and m.cohort_month = s.cohort_month
            where s.scope = $1 and s.cohort_month between $2 and $3
            group by s.cohort_month, s.members order by s.cohort_month
            """;
    /** The scope's members active in month $2 who were in a cohort by month $3 (= $2 - 1), and those active in $3. */
    static final String MONTHLY_RETENTION = """
            select coalesce(sum(active_members) filter (where month = $2 and cohort_month <= $3), 0) as kept,
                   coalesce(sum(active_members) filter (where month = $3), 0) as before
            from analytics_cohort_months where scope = $1 and month in ($2, $3)
            """;
    static final String CAMPAIGNS = """
            select c.id, c.name, c.partner_id, c.starts_at, c.ends_at, g.rewarded, g.members, g.bonus_points, g.cost_amount,
                   g.spend_before, g.visits_before, g.spend_during, g.visits_during
            from campaigns c left join analytics_campaign_groups g on g.campaign_id = c.id
            where ($1 = '*' or c.partner_id = $1)
            order by c.starts_at desc, c.id limit $2
            """;
    static final String POINTS = """
            select issuer_id, counterparty_id, kind,
                   coalesce(sum(points) filter (where month >= $1), 0) as points,
                   coalesce(sum(point_seconds) filter (where month >= $1), 0) as point_seconds,
                   coalesce(sum(points), 0) as cumulative
            from analytics_points where month <= $2 and ($3 = '*' or issuer_id = $3 or counterparty_id = $3)
            group by issuer_id, counterparty_id, kind
            """;
    static final String FLOWS = """
            select month, issuer_id, counterparty_id, points, point_seconds, members from analytics_points
            where kind = 'REDEEMED' and month between $1 and $2 and ($3 = '*' or issuer_id = $3 or counterparty_id = $3)
            order by month, issuer_id, counterparty_id limit $4
            """;

    public Uni<OffsetDateTime> watermark(SqlConnection connection) {
        return connection.query(WATERMARK).execute().map(rows -> rows.iterator().next().getOffsetDateTime("watermark"));
    }

    public Uni<RowSet<Row>> retention(SqlConnection connection, String scope, YearMonth from, YearMonth to, int limit) {
        return connection.preparedQuery(RETENTION).execute(Tuple.of(scope, from.atDay(1), to.atDay(1), limit));
    }

    public Uni<Row> activity(SqlConnection connection, String scope, LocalDate lastChurnedDay) {
        return connection.preparedQuery(ACTIVITY).execute(Tuple.of(scope, lastChurnedDay)).map(rows -> rows.iterator().next());
    }

    public Uni<RowSet<Row>> segments(SqlConnection connection, String scope) {
        return connection.preparedQuery(SEGMENTS).execute(Tuple.of(scope));
    }

    public Uni<RowSet<Row>> cohortValue(SqlConnection connection, String scope, YearMonth from, YearMonth to, YearMonth lastMonth) {
        return connection.preparedQuery(COHORT_VALUE).execute(Tuple.of(scope, from.atDay(1), to.atDay(1), lastMonth.atDay(1)));
    }

    public Uni<Row> monthlyRetention(SqlConnection connection, String scope, YearMonth month) {
        return connection.preparedQuery(MONTHLY_RETENTION).execute(Tuple.of(scope, month.atDay(1), month.minusMonths(1).atDay(1)))
                .map(rows -> rows.iterator().next());
    }

    public Uni<RowSet<Row>> campaigns(SqlConnection connection, String scope, int limit) {
        return connection.preparedQuery(CAMPAIGNS).execute(Tuple.of(scope, limit));
    }

    public Uni<RowSet<Row>> points(SqlConnection connection, String scope, YearMonth from, YearMonth to) {
        return connection.preparedQuery(POINTS).execute(Tuple.of(from.atDay(1), to.atDay(1), scope));
    }

    public Uni<RowSet<Row>> flows(SqlConnection connection, String scope, YearMonth from, YearMonth to, int limit) {
        return connection.preparedQuery(FLOWS).execute(Tuple.of(from.atDay(1), to.atDay(1), scope, limit));
    }

    static List<String> segmentOrder() {
        return List.of("TOP", "HIGH", "MEDIUM", "LOW", "NO_SPEND");
    }
}
