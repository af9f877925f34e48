package org.coalition.gateway.support;

import static io.restassured.RestAssured.given;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the gateway's Prometheus scrape, as an operator's dashboard would. */
public final class Metrics {

    private Metrics() {
    }

    /**
     * The value of the first sample of {@code name} whose labels include each of {@code labels} (e.g.
     * {@code function="earn_points"}); 0 if there is none.
     */
    public static double sample(String name, String... labels) {
        String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher sample = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+]+)$").matcher(scrape);
        while (sample.find()) {
            String found = sample.group(1) == null ? "" : sample.group(1);
            if (Arrays.stream(labels).allMatch(found::contains)) {
                return Double.parseDouble(sample.group(2));
            }
        }
        return 0;
    }

    /** Earns that shared a statement with another earn since the gateway started (shared.GroupCommit). */
    public static double earnsThatSharedAStatement() {
        String label = "function=\"earn_points\"";
        return sample("coalition_database_group_commit_calls_sum", label) - sample("coalition_database_group_commit_calls_count", label);
    }

    /** Look-ups of {@code lookup} that shared a statement with another since the gateway started (shared.BatchedLookups). */
    public static double lookupsThatSharedAStatement(String lookup) {
        String label = "lookup=\"" + lookup + "\"";
        return sample("coalition_database_batched_lookups_sum", label) - sample("coalition_database_batched_lookups_count", label);
    }
}
