package org.coalition.gateway.idempotency;

/**
 * A mutation's identity for idempotency: who sent it (scope), under which key, for which operation,
 * and a fingerprint of its payload so that a reused key with another payload is caught.
 */
public record IdempotentRequest(String scope, String key, String operation, String fingerprint) {
}
