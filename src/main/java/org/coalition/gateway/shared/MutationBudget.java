package org.coalition.gateway.shared;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.interceptor.InterceptorBinding;

/**
 * Marks a GraphQL API whose mutations count against the per-request budget: one HTTP request may run
 * at most {@link MutationBudgetInterceptor#MAX_MUTATIONS_PER_REQUEST} mutations, so a document with
 * hundreds of aliased {@code earnPoints} cannot turn one request into a batch job.
 */
@InterceptorBinding
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
public @interface MutationBudget {
}
