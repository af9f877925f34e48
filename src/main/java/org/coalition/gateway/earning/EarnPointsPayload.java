package org.coalition.gateway.earning;

import java.util.List;

import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.member.Member;
import org.coalition.gateway.shared.UserError;

@Type("EarnPointsPayload")
public record EarnPointsPayload(PointTransaction transaction, Member member, @NonNull List<@NonNull UserError> userErrors) {

    public static EarnPointsPayload posted(PointTransaction transaction, Member member) {
        return new EarnPointsPayload(transaction, member, List.of());
    }

    public static EarnPointsPayload failed(List<UserError> errors) {
        return new EarnPointsPayload(null, null, errors);
    }
}
