package org.coalition.gateway.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;

/**
 * A test against the running gateway: a fresh embedded PostgreSQL for the test run and a WireMock OIDC
 * server whose keys sign the tokens of {@link Tokens}, a writable copy of the partner contracts, and the web apps'
 * login provider ({@link WebLoginProvider}).
 * All classes with it share one started gateway.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
@WithTestResource(OidcWiremockTestResource.class)
@WithTestResource(TestContractsResource.class)
@WithTestResource(WebLoginProvider.class)
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
public @interface GatewayTest {
}
