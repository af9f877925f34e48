package org.coalition.gateway.campaign;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;

/**
 * What a campaign's rule would give on one basket, before the member-side checks (segment, cap, budget)
 * that the earn's SQL statement makes. Bonus points are whole points, rounded down: a campaign never pays
 * more than its rule says.
 */
public final class BonusRules {

    private BonusRules() {
    }

    /** A purchase as the rules see it. {@code pointsPerUnit} is the earning contract's base rate. */
    public record Basket(Instant occurredAt, BigDecimal purchaseAmount, String currency, List<Line> lines,
            BigDecimal pointsPerUnit) {
    }

    /** A basket line; the category may be missing. */
    public record Line(String category, BigDecimal amount) {
    }

    /** The bonus {@code campaign} offers on {@code basket}; 0 when its rule does not apply. */
    public static int candidatePoints(ActiveCampaign campaign, Basket basket) {
        if (!campaign.runsAt(basket.occurredAt()) || !campaign.currency().equals(basket.currency())) {
            return 0;
        }
        return switch (campaign.ruleKind()) {
            case CATEGORY_MULTIPLIER -> categoryBonus(campaign, basket);
            case BASKET_BONUS -> basket.purchaseAmount().compareTo(campaign.minimumBasket()) >= 0 ? campaign.bonusPoints() : 0;
            case FIRST_VISIT_BONUS -> campaign.bonusPoints();
        };
    }

    private static int categoryBonus(ActiveCampaign campaign, Basket basket) {
        BigDecimal inCategory = basket.lines().stream()
                .filter(line -> campaign.category().equalsIgnoreCase(line.category() == null ? "" : line.category()))
                .map(Line::amount)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal extra = inCategory.multiply(basket.pointsPerUnit()).multiply(campaign.multiplier().subtract(BigDecimal.ONE));
        return extra.setScale(0, RoundingMode.DOWN).min(BigDecimal.valueOf(Integer.MAX_VALUE)).intValueExact();
    }
}
