package org.coalition.gateway.earning;

import java.math.BigDecimal;
import java.util.List;

import org.coalition.gateway.partner.PartnerContract.EarnRules;

/**
 * Points for a purchase under a contract version: amount x points per unit x category multiplier,
 * summed over the basket lines and rounded once (rounding each line would lose points on every
 * basket), then capped at the contract's maximum per transaction.
 */
public final class EarnCalculator {

    private EarnCalculator() {
    }

    public record Earned(int points, boolean capped) {
    }

    public static Earned points(EarnRules rules, BigDecimal purchaseAmount, List<PurchaseLineInput> lines) {
        BigDecimal exact = lines == null || lines.isEmpty()
                ? purchaseAmount.multiply(rules.pointsPerUnit())
                : lines.stream()
                        .map(line -> line.amount.multiply(rules.pointsPerUnit()).multiply(rules.multiplierFor(line.category)))
                        .reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal rounded = exact.setScale(0, rules.rounding());
        if (rounded.compareTo(BigDecimal.valueOf(rules.maxPointsPerTransaction())) > 0) {
            return new Earned(rules.maxPointsPerTransaction(), true);
        }
        return new Earned(rounded.intValueExact(), false);
    }
}
