package org.coalition.gateway.tenancy;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.interceptor.InterceptorBinding;

/**
 * Every refusal of the annotated GraphQL API reaches the caller with a message that names the field and the
 * permission it needs ({@link RefusalExplainer}); without it, smallrye-graphql answers "System error".
 */
@InterceptorBinding
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
public @interface ExplainedRefusals {
}
