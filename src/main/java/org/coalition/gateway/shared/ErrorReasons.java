package org.coalition.gateway.shared;

import jakarta.json.Json;
import jakarta.json.JsonValue;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.smallrye.graphql.api.ErrorExtensionProvider;

/**
 * The {@code extensions.reason} of a GraphQL error: a stable word a partner's code can switch on.
 * SmallRye's own {@code code} extension is derived from the exception's class name, which would show
 * callers our internals (a PgException becomes "pg"), so it is not served; this replaces it.
 */
public class ErrorReasons implements ErrorExtensionProvider {

    public static final String KEY = "reason";

    @Override
    public String getKey() {
        return KEY;
    }

    @Override
    public JsonValue mapValueFrom(Throwable failure) {
        return Json.createValue(reasonOf(failure));
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
        return "INTERNAL";
    }
}
