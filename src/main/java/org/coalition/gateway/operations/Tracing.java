package org.coalition.gateway.operations;

import java.util.Locale;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.arc.Unremovable;

import org.coalition.gateway.tenancy.Caller;

/**
 * What our spans say, and the tracer that SmallRye GraphQL's per-operation spans come from.
 *
 * <p>With {@code quarkus.otel.sdk.disabled=true} Quarkus still hands out an SDK tracer that records spans
 * into nowhere: SmallRye GraphQL would build one for every operation, and put its ids in the MDC. The
 * gateway is benchmarked with tracing off, so while the SDK is disabled the tracer is the no-op one.
 */
public class Tracing {

    public static final AttributeKey<String> OPERATION = AttributeKey.stringKey("coalition.operation");
    public static final AttributeKey<String> CALLER_KIND = AttributeKey.stringKey("coalition.caller.kind");
    public static final AttributeKey<String> PARTNER_ID = AttributeKey.stringKey("coalition.partner.id");

    /** Replaces Quarkus' default Tracer bean; SmallRye GraphQL looks it up at run time, so it must not be removed. */
    @Produces
    @Singleton
    @Unremovable
    Tracer tracer(OpenTelemetry openTelemetry, @ConfigProperty(name = "quarkus.otel.sdk.disabled") boolean sdkDisabled) {
        return (sdkDisabled ? OpenTelemetry.noop() : openTelemetry).getTracer("io.quarkus.opentelemetry");
    }

    /**
     * Names the operation and who asked for it on the current span: the partner, or only the kind of caller.
     * Never a member, a card or an amount: traces leave the gateway for a collector we do not control.
     */
    public static void tag(Caller caller, String operation) {
        Span span = Span.current();
        if (!span.isRecording()) {
            return;
        }
        span.setAttribute(OPERATION, operation);
        span.setAttribute(CALLER_KIND, caller.kind().name().toLowerCase(Locale.ROOT));
        if (caller.isPartner()) {
            span.setAttribute(PARTNER_ID, caller.partnerId());
        }
    }
}
