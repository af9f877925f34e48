package org.coalition.gateway.operations;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.interceptor.InterceptorBinding;

/**
 * Measures every GraphQL operation of the annotated API: requests, latency and outcome per operation and
 * per partner ({@link OperationMetricsInterceptor}).
 */
@InterceptorBinding
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
public @interface OperationMetrics {
}
