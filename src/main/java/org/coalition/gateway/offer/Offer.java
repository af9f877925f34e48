package org.coalition.gateway.offer;

import java.time.Instant;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Enum;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

/** Something the calling member can earn now, and how far they are from it. */
@Type("Offer")
public record Offer(@NonNull OfferKind kind, @Id @NonNull String id, @Description("Where; empty for a challenge across partners.") String partnerId,
        @NonNull String title, @NonNull @Description("What to do, in words a member reads.") String description,
        @Description("Points it pays; empty when they depend on the basket (a multiplier).") Integer rewardPoints,
        @Description("Purchases still needed: 1 for a campaign, what is left for a challenge.") int stepsToGo,
        @NonNull Instant endsAt) {

    @Enum("OfferKind")
    public enum OfferKind {
        CAMPAIGN,
        CHALLENGE
    }
}
