package org.coalition.gateway.shared;

import jakarta.json.Json;
import jakarta.json.JsonValue;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.smallrye.graphql.api.ErrorExtensionProvider;

import org.coalition.gateway.operations.UnexpectedFailures;

/**
 * The {@code extensions.reason} of a GraphQL error: a stable word a partner's code can switch on.
 * SmallRye's own {@code code} extension is derived from the exception's class name, which would show
 * callers our internals (a PgException becomes "pg"), so it is not served; this replaces it.
 */
public class ErrorReasons implements ErrorExtensionProvider {

    public static final String KEY = "reason";
    static final String INTERNAL = "INTERNAL";

    @Override
    public String getKey() {
        return KEY;
    }

    @Override
    public JsonValue mapValueFrom(Throwable failure) {
        String reason = reasonOf(failure);
        if (INTERNAL.equals(reason)) {
            // Every failed field passes here once, refusals and mistakes too: only the unexpected is logged.
            UnexpectedFailures.log(failure);
        }
        return Json.createValue(reason);
    }

    static String reasonOf(Throwable failure) {
        if (failure instanceof UnauthorizedException || failure instanceof AuthenticationFailedException) {
            return "UNAUTHORIZED";
        }
        if (failure instanceof ForbiddenException) {
            return "FORBIDDEN";
        }
        if (failure instanceof InvalidArgument) {
            return "INVALID_ARGUMENT";
        }
        if (failure instanceof ServiceUnavailable) {
            return "SERVICE_UNAVAILABLE";
        }
        return INTERNAL;
    }
}
