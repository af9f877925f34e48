package org.coalition.gateway.reversal;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.shared.UserError;

@Type("ReverseTransactionPayload")
public record ReverseTransactionPayload(
        PointTransaction transaction,
        PointTransaction original,
        @Description("Points of a reversed earn that had already been spent (clawback shortfall).") int shortfall,
        @NonNull List<@NonNull UserError> userErrors) {

    static ReverseTransactionPayload reversed(PointTransaction transaction, PointTransaction original, int shortfall) {
        return new ReverseTransactionPayload(transaction, original, shortfall, List.of());
    }

    static ReverseTransactionPayload failed(List<UserError> errors) {
        return new ReverseTransactionPayload(null, null, 0, errors);
    }
}
