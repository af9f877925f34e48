package org.coalition.gateway.tenancy;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.shared.GraphQlFields;
import org.coalition.gateway.shared.Refusal;

/**
 * Gives a refusal without a message (Quarkus's permission checks throw one) a message a partner's developer can act
 * on: the field refused and the permission it needs. Outside Quarkus's security interceptors, so it sees their
 * refusals, thrown or as a failed {@link Uni}. Refusals that already explain themselves ({@link Refusal}) pass as they
 * are.
 */
@ExplainedRefusals
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE + 50)
public class RefusalExplainer {

    private final Map<Method, String> explanations = new ConcurrentHashMap<>();

    @AroundInvoke
    Object explain(InvocationContext invocation) throws Exception {
        Object result;
        try {
            result = invocation.proceed();
        } catch (ForbiddenException refused) {
            throw explained(invocation.getMethod(), refused);
        }
        if (result instanceof Uni<?> pending) {
            return pending.onFailure(ForbiddenException.class)
                    .transform(refused -> explained(invocation.getMethod(), (ForbiddenException) refused));
        }
        return result;
    }

    private ForbiddenException explained(Method method, ForbiddenException refused) {
        if (refused instanceof Refusal) {
            return refused;
        }
        return new Refusal(explanations.computeIfAbsent(method, RefusalExplainer::explanationOf), refused);
    }

    /** "earnPoints needs the permission points:earn, which this caller does not have." */
    static String explanationOf(Method method) {
        String field = GraphQlFields.fieldOf(method);
        PermissionsAllowed allowed = method.getAnnotation(PermissionsAllowed.class);
        if (allowed == null) {
            allowed = method.getDeclaringClass().getAnnotation(PermissionsAllowed.class);
        }
        if (allowed == null || allowed.value().length == 0) {
            return field + " is not open to this caller";
        }
        String permissions = String.join(allowed.inclusive() ? " and " : " or ", allowed.value());
        String needs = allowed.value().length == 1 ? "the permission " : allowed.inclusive() ? "the permissions " : "one of the permissions ";
        return field + " needs " + needs + permissions + ", which this caller does not have";
    }
}
