package org.coalition.gateway.tier;

import java.math.BigDecimal;
import java.time.Instant;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Enum;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

/** GraphQL shapes of a member's standing in the coalition's tier program. */
public final class TierTypes {

    private TierTypes() {
    }

    @Type("MemberTier")
    public record MemberTier(@NonNull String id, @NonNull String name,
            @NonNull @Description("Points earned are multiplied by this; the extra comes as a bonus transaction.") BigDecimal earnMultiplier,
            @Description("Since when the member holds it; empty for the entry tier.") Instant since) {
    }

    @Enum("TierMeasure")
    public enum TierMeasure {
        QUALIFYING_POINTS,
        DISTINCT_PARTNERS
    }

    @Type("TierProgress")
    @Description("How far the member is on the way to the next tier, over the rolling qualification window.")
    public record TierProgress(@NonNull TierMeasure measure, int windowMonths, int qualifying, MemberTier nextTier,
            @Description("Still needed for the next tier; 0 at the top.") int toNextTier,
            @NonNull @Description("When tiers are next reviewed (downgrades happen only then).") Instant nextReviewAt) {
    }

    @Enum("TierChangeReason")
    public enum TierChangeReason {
        @Description("The member crossed a threshold.")
        QUALIFIED,
        @Description("The yearly review found the member short of their tier.")
        REVIEW
    }

    @Type("TierChange")
    public record TierChange(@NonNull String fromTier, @NonNull String toTier, @NonNull TierChangeReason reason,
            int qualifying, @NonNull Instant changedAt) {
    }
}
