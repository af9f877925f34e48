package org.coalition.gateway.earning;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import org.coalition.gateway.campaign.CampaignTypes.EarnBonus;
import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.member.Member;
import org.coalition.gateway.shared.UserError;

@Type("EarnPointsPayload")
public record EarnPointsPayload(PointTransaction transaction, Member member,
        @NonNull @Description("Bonus points campaigns added, each its own transaction; the member's balance includes them.")
        List<@NonNull EarnBonus> bonuses,
        @NonNull List<@NonNull UserError> userErrors) {

    public static EarnPointsPayload posted(PointTransaction transaction, Member member, List<EarnBonus> bonuses) {
        return new EarnPointsPayload(transaction, member, bonuses, List.of());
    }

    public static EarnPointsPayload failed(List<UserError> errors) {
        return new EarnPointsPayload(null, null, List.of(), errors);
    }
}
