package org.coalition.gateway.tier;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The coalition's tiers, lowest first, as {@code partner-contracts/coalition/tiers.yaml} defines them
 * (read and validated by {@link TierProgramReader}).
 */
public record TierProgram(Measure measure, int windowMonths, int reviewMonth, int reviewDay, List<Tier> tiers) {

    /** What qualifies a member: points earned across all brands, or the number of brands earned at. */
    public enum Measure {
        QUALIFYING_POINTS,
        DISTINCT_PARTNERS
    }

    /** Who pays for a tier's extra points. */
    public enum Funder {
        OPERATOR,
        EARNING_PARTNER
    }

    public record Tier(String id, String name, int threshold, BigDecimal earnMultiplier, Funder fundedBy) {
    }

    public Tier lowest() {
        return tiers.get(0);
    }

    public Tier byId(String id) {
        return tiers.stream().filter(tier -> tier.id().equals(id)).findFirst().orElse(lowest());
    }

    /** The tier after {@code tier}, if any. */
    public java.util.Optional<Tier> above(Tier tier) {
        int index = tiers.indexOf(tier);
        return index + 1 < tiers.size() ? java.util.Optional.of(tiers.get(index + 1)) : java.util.Optional.empty();
    }

    /** Extra points each tier pays on an earn of {@code basePoints}: base x (multiplier - 1), rounded down. */
    public Integer[] bonusPoints(int basePoints) {
        return tiers.stream()
                .map(tier -> BigDecimal.valueOf(basePoints).multiply(tier.earnMultiplier().subtract(BigDecimal.ONE))
                        .setScale(0, RoundingMode.DOWN).intValueExact())
                .toArray(Integer[]::new);
    }

    /** The most recent review instant at or before {@code now}: 00:00 UTC on the review day of this year or the last. */
    public Instant lastReviewAt(Instant now) {
        LocalDate today = now.atZone(ZoneOffset.UTC).toLocalDate();
        LocalDate thisYear = LocalDate.of(today.getYear(), reviewMonth, reviewDay);
        LocalDate review = thisYear.isAfter(today) ? thisYear.minusYears(1) : thisYear;
        return review.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
