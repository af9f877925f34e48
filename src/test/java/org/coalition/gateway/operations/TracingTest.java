package org.coalition.gateway.operations;

import static org.awaitility.Awaitility.await;
import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;

/**
 * With the OpenTelemetry SDK switched on, an earn is one trace: the HTTP server span, SmallRye GraphQL's
 * span of the operation, the service's span and the reactive PostgreSQL client's span, each inside the one
 * before, and none of them shows the member's card number.
 */
@GatewayTest
@TestProfile(TracingTest.TracingOn.class)
class TracingTest {

    public static class TracingOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // Spans exported as they end, to InMemorySpans only: nothing listens for OTLP here.
            return Map.of("quarkus.otel.sdk.disabled", "false",
                    "quarkus.otel.simple", "true",
                    "quarkus.otel.exporter.otlp.enabled", "false");
        }
    }

    private static final AttributeKey<String> DB_STATEMENT = AttributeKey.stringKey("db.statement");

    @Inject
    InMemorySpanExporter exporter;

    @Test
    void anEarnIsOneTraceFromHttpThroughGraphQlAndTheServiceToTheDatabase() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        exporter.reset();

        JsonPath earned = Fixtures.earn(FRESHMART, Fixtures.earnInput(member, "42.50"));
        assertEquals(List.of(), earned.getList("data.earnPoints.userErrors"), earned::prettify);

        // The server span ends after the response is written, so wait for it rather than assume it.
        SpanData service = await().atMost(Duration.ofSeconds(10)).until(() -> named("EarnService.earn"), Optional::isPresent).get();
        Map<String, SpanData> trace = await().atMost(Duration.ofSeconds(10))
                .until(() -> trace(service.getTraceId()), spans -> spans.values().stream().anyMatch(TracingTest::isServer));
        SpanData server = trace.values().stream().filter(TracingTest::isServer).findFirst().orElseThrow();
        SpanData graphQl = trace.values().stream().filter(span -> span.getName().startsWith("GraphQL")).findFirst()
                .orElseThrow(() -> new AssertionError("no GraphQL span in " + trace.values()));
        SpanData database = trace.values().stream().filter(span -> span.getAttributes().get(DB_STATEMENT) != null)
                .filter(span -> isAncestor(service, span, trace)).findFirst()
                .orElseThrow(() -> new AssertionError("no database span under the service span in " + trace.values()));

        assertTrue(isAncestor(server, graphQl, trace), () -> describe(trace));
        assertTrue(isAncestor(graphQl, service, trace), () -> describe(trace));
        // The Vert.x SQL client names the statement, with its $n placeholders, never the values bound to them.
        assertTrue(database.getAttributes().get(DB_STATEMENT).contains("earn_points("),
                () -> describe(trace));
        assertEquals("freshmart", service.getAttributes().get(Tracing.PARTNER_ID));
        assertEquals("earnPoints", service.getAttributes().get(Tracing.OPERATION));
        for (SpanData span : trace.values()) {
            String shown = span.getName() + span.getAttributes() + span.getEvents() + span.getStatus();
            assertTrue(!shown.contains(member.cardNumber()), () -> "the card number in " + span);
        }
    }

    private Optional<SpanData> named(String name) {
        return exporter.getFinishedSpanItems().stream().filter(span -> span.getName().equals(name)).findFirst();
    }

    private Map<String, SpanData> trace(String traceId) {
        return exporter.getFinishedSpanItems().stream().filter(span -> span.getTraceId().equals(traceId))
                .collect(Collectors.toMap(SpanData::getSpanId, Function.identity()));
    }

    private static boolean isServer(SpanData span) {
        return span.getKind() == SpanKind.SERVER;
    }

    private static boolean isAncestor(SpanData ancestor, SpanData span, Map<String, SpanData> trace) {
        for (SpanData parent = trace.get(span.getParentSpanId()); parent != null; parent = trace.get(parent.getParentSpanId())) {
            if (parent.getSpanId().equals(ancestor.getSpanId())) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Map<String, SpanData> trace) {
        return trace.values().stream().map(span -> span.getSpanId() + " <- " + span.getParentSpanId() + " " + span.getKind()
                + " " + span.getName() + " " + span.getAttributes()).collect(Collectors.joining("\n"));
    }
}
