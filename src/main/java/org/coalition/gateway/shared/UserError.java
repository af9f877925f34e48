package org.coalition.gateway.shared;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

/** A business failure as partners see it: a code to switch on, the input field at fault, words for a person. */
@Type("UserError")
public record UserError(
        @NonNull ErrorCode code,
        @Description("Path to the input field at fault, e.g. [\"input\", \"points\"].") List<@NonNull String> field,
        @NonNull String message) {

    public static UserError of(ErrorCode code, String message, String... fieldPath) {
        return new UserError(code, fieldPath.length == 0 ? null : List.of(fieldPath), message);
    }

    public static UserError invalid(String message, String... fieldPath) {
        return of(ErrorCode.INVALID_INPUT, message, fieldPath);
    }
}
