package org.coalition.gateway.operations;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;

/**
 * Where TracingTest's spans go. Quarkus exports to every SpanExporter bean; in the other tests the SDK is
 * disabled and nothing reaches it.
 */
public class InMemorySpans {

    @Produces
    @Singleton
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}
