package org.coalition.gateway.operations;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.shared.GraphQlFields;
import org.coalition.gateway.shared.UserError;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.CallerAugmentor;

/**
 * Times each root GraphQL field (an operation a partner, member or settlement team calls) and counts the
 * typed errors it answers with. Labels are bounded: the operation (a schema field), the partner id (from
 * the contracts) or the caller's kind, the outcome, and an error code; never a member, card or token.
 */
@OperationMetrics
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE + 100)
public class OperationMetricsInterceptor {

    static final String REQUESTS = "coalition.graphql.requests";
    static final String USER_ERRORS = "coalition.graphql.user.errors";

    private final MeterRegistry registry;
    private final CurrentIdentityAssociation identities;
    private final OperationsInFlight inFlight;
    private final Map<Method, Optional<String>> operationNames = new ConcurrentHashMap<>();
    /** Built once per label set: a builder and a registry look-up on every request cost more than the timing. */
    private final Map<List<String>, Timer> timers = new ConcurrentHashMap<>();
    private final ClassValue<Optional<Method>> userErrorsAccessors = new ClassValue<>() {
        @Override
        protected Optional<Method> computeValue(Class<?> type) {
            return userErrorsAccessor(type);
        }
    };

    public OperationMetricsInterceptor(MeterRegistry registry, CurrentIdentityAssociation identities, OperationsInFlight inFlight) {
        this.registry = registry;
        this.identities = identities;
        this.inFlight = inFlight;
    }

    @AroundInvoke
    Object measure(InvocationContext invocation) throws Exception {
        Optional<String> root = operationNames.computeIfAbsent(invocation.getMethod(), GraphQlFields::operationOf);
        if (root.isEmpty()) {
            return invocation.proceed();
        }
        String operation = root.get();
        String caller = callerLabel();
        long started = System.nanoTime();
        Object result;
        inFlight.started();
        try {
            result = invocation.proceed();
        } catch (Exception failure) {
            inFlight.ended();
            record(operation, caller, started, null, failure);
            throw failure;
        }
        if (result instanceof Uni<?> pending) {
            // in flight until answered, failed or cancelled (GraphQL subscribes to every operation's Uni)
            return pending.onItemOrFailure().invoke((item, failure) -> record(operation, caller, started, item, failure))
                    .onTermination().invoke(inFlight::ended);
        }
        inFlight.ended();
        record(operation, caller, started, result, null);
        return result;
    }

    private void record(String operation, String caller, long started, Object answer, Throwable failure) {
        List<UserError> userErrors = failure == null ? userErrorsOf(answer) : List.of();
        String outcome = failure != null ? "error" : userErrors.isEmpty() ? "ok" : "user_error";
        timers.computeIfAbsent(List.of(operation, caller, outcome), labels -> Timer.builder(REQUESTS)
                        .description("GraphQL operations served, by operation, caller and outcome")
                        .tags("operation", operation, "partner", caller, "outcome", outcome)
                        .serviceLevelObjectives(LATENCY_BUCKETS)
                        .register(registry))
                .record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        for (UserError error : userErrors) {
            registry.counter(USER_ERRORS, "operation", operation, "partner", caller, "code", error.code().name()).increment();
        }
    }

    private static final Duration[] LATENCY_BUCKETS = {
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5) };

    /** A partner's id, else what kind of caller it is: bounded by the contracts, never a person. */
    private String callerLabel() {
        SecurityIdentity identity = identities.getIdentity();
        Caller caller = identity == null ? null : identity.getAttribute(CallerAugmentor.CALLER_ATTRIBUTE);
        if (caller == null) {
            return "anonymous";
        }
        return caller.kind() == Caller.Kind.PARTNER ? caller.partnerId() : caller.kind().name().toLowerCase(Locale.ROOT);
    }

    private List<UserError> userErrorsOf(Object answer) {
        if (answer == null) {
            return List.of();
        }
        return userErrorsAccessors.get(answer.getClass()).map(accessor -> {
            try {
                @SuppressWarnings("unchecked")
                List<UserError> errors = (List<UserError>) accessor.invoke(answer);
                return errors == null ? List.<UserError>of() : errors;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("payload " + answer.getClass() + " hides its userErrors", e);
            }
        }).orElse(List.of());
    }

    /** Mutation payloads are records with a {@code userErrors} component. */
    private static Optional<Method> userErrorsAccessor(Class<?> type) {
        if (!type.isRecord()) {
            return Optional.empty();
        }
        for (RecordComponent component : type.getRecordComponents()) {
            if (component.getName().equals("userErrors") && List.class.isAssignableFrom(component.getType())) {
                return Optional.of(component.getAccessor());
            }
        }
        return Optional.empty();
    }
}
