package org.coalition.gateway.analytics;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import org.coalition.gateway.analytics.AnalyticsTypes.CohortMonth;
import org.coalition.gateway.analytics.AnalyticsTypes.RetentionCohort;
import org.coalition.gateway.shared.InvalidArgument;
import org.coalition.gateway.shared.ServiceUnavailable;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.CallerAugmentor;

/**
 * Every analytics figure as CSV for a partner's BI tool: {@code GET /analytics/<figure>.csv} with the query's arguments
 * as parameters ({@code partnerId}, {@code fromMonth}, {@code toMonth}, {@code churnAfterDays}) and the same bearer
 * token as GraphQL. The rows are the very objects GraphQL returns (one service), one column per field; nested
 * objects' fields are prefixed with their name; retention has one row per cohort and month.
 */
@ApplicationScoped
public class AnalyticsCsvExport {

    static final List<String> FIGURES = List.of("retention", "activity", "value-segments", "cohort-value", "campaign-roi",
            "reward-performance", "cross-brand-flows");

    private final AnalyticsService analytics;

    public AnalyticsCsvExport(AnalyticsService analytics) {
        this.analytics = analytics;
    }

    void routes(@Observes Router router) {
        router.get("/analytics/:figure").handler(this::export);
    }

    private void export(RoutingContext context) {
        SecurityIdentity identity = context.user() instanceof QuarkusHttpUser user ? user.getSecurityIdentity() : null;
        if (identity == null || identity.isAnonymous()) {
            context.response().setStatusCode(401).end();
            return;
        }
        Caller caller = identity.getAttribute(CallerAugmentor.CALLER_ATTRIBUTE);
        String file = context.pathParam("figure");
        String figure = file.endsWith(".csv") ? file.substring(0, file.length() - 4) : "";
        if (!FIGURES.contains(figure)) {
            context.response().setStatusCode(404).end("figures: " + String.join(", ", FIGURES) + " (.csv)\n");
            return;
        }
        Uni<List<?>> rows;
        try {
            if (caller == null) {
                throw new ForbiddenException();
            }
            rows = rows(caller, figure, context);
        } catch (ForbiddenException e) {
            context.response().setStatusCode(403).end();
            return;
        } catch (InvalidArgument e) {
            context.response().setStatusCode(400).end(e.getMessage() + "\n");
            return;
        }
        rows.subscribe().with(list -> context.response().putHeader("Content-Type", "text/csv; charset=utf-8")
                .putHeader("Content-Disposition", "attachment; filename=\"" + figure + ".csv\"")
                .end(csv(list)), failure -> failed(context, failure));
    }

    private Uni<List<?>> rows(Caller caller, String figure, RoutingContext context) {
        String partnerId = context.queryParams().get("partnerId");
        String from = context.queryParams().get("fromMonth");
        String to = context.queryParams().get("toMonth");
        return switch (figure) {
            case "retention" -> analytics.retention(caller, partnerId, from, to).map(AnalyticsCsvExport::flatten);
            case "activity" -> analytics.activity(caller, partnerId, churnAfterDays(context)).map(List::of);
            case "value-segments" -> widen(analytics.valueSegments(caller, partnerId));
            case "cohort-value" -> widen(analytics.cohortValue(caller, partnerId, from, to));
            case "campaign-roi" -> widen(analytics.campaignRoi(caller, partnerId));
            case "reward-performance" -> widen(analytics.rewardPerformance(caller, partnerId, from, to));
            default -> widen(analytics.crossBrandFlows(caller, partnerId, from, to));
        };
    }

    private static <T> Uni<List<?>> widen(Uni<List<T>> rows) {
        return rows.map(Function.identity());
    }

    private static Integer churnAfterDays(RoutingContext context) {
        String days = context.queryParams().get("churnAfterDays");
        try {
            return days == null ? null : Integer.valueOf(days);
        } catch (NumberFormatException e) {
            throw new InvalidArgument("churnAfterDays must be a number of days");
        }
    }

    /** A retention row per cohort and month: the cohort's month and size beside each month's figures. */
    record RetentionRow(String cohortMonth, long cohortMembers, CohortMonth month) {
    }

    private static List<?> flatten(List<RetentionCohort> cohorts) {
        List<RetentionRow> rows = new ArrayList<>();
        cohorts.forEach(cohort -> cohort.months().forEach(month -> rows.add(new RetentionRow(cohort.cohortMonth(), cohort.members(), month))));
        return rows;
    }

    private static void failed(RoutingContext context, Throwable failure) {
        if (failure instanceof ServiceUnavailable) {
            context.response().setStatusCode(503).putHeader("Retry-After", "5").end(ServiceUnavailable.QUERY_MESSAGE + "\n");
        } else if (failure instanceof InvalidArgument) {
            context.response().setStatusCode(400).end(failure.getMessage() + "\n");
        } else if (failure instanceof ForbiddenException) {
            context.response().setStatusCode(403).end();
        } else {
            context.response().setStatusCode(500).end();
        }
    }

    static String csv(List<?> rows) {
        StringBuilder csv = new StringBuilder();
        if (rows.isEmpty()) {
            return csv.toString();
        }
        List<String> header = new ArrayList<>();
        columns(rows.get(0).getClass(), "", header);
        csv.append(String.join(",", header)).append('\n');
        for (Object row : rows) {
            List<String> values = new ArrayList<>();
            values(row, values);
            csv.append(String.join(",", values)).append('\n');
        }
        return csv.toString();
    }

    private static void columns(Class<?> type, String prefix, List<String> into) {
        for (RecordComponent component : type.getRecordComponents()) {
            if (component.getType().isRecord()) {
                columns(component.getType(), prefix + component.getName() + "_", into);
            } else {
                into.add(prefix + component.getName());
            }
        }
    }

    private static void values(Object row, List<String> into) {
        for (RecordComponent component : row.getClass().getRecordComponents()) {
            Object value;
            try {
                value = component.getAccessor().invoke(row);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException(e);
            }
            if (component.getType().isRecord()) {
                values(value, into);
            } else {
                into.add(field(value));
            }
        }
    }

    /** RFC 4180 quoting, no formula injection into spreadsheets; numbers as GraphQL writes them. */
    static String field(Object value) {
        if (value == null) {
            return "";
        }
        String text = value instanceof java.math.BigDecimal decimal ? decimal.toPlainString() : value.toString();
        if (value instanceof String && (text.startsWith("=") || text.startsWith("+") || text.startsWith("-") || text.startsWith("@"))) {
            text = "'" + text;
        }
        return text.contains(",") || text.contains("\"") || text.contains("\n") ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
    }
}
