package org.coalition.gateway.redemption;

import java.util.List;

import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.member.Member;
import org.coalition.gateway.shared.UserError;

@Type("RedeemPointsPayload")
public record RedeemPointsPayload(PointTransaction transaction, Member member, @NonNull List<@NonNull UserError> userErrors) {

    public static RedeemPointsPayload posted(PointTransaction transaction, Member member) {
        return new RedeemPointsPayload(transaction, member, List.of());
    }

    public static RedeemPointsPayload failed(List<UserError> errors) {
        return new RedeemPointsPayload(null, null, errors);
    }
}
