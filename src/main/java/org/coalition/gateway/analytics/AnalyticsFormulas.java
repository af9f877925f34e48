package org.coalition.gateway.analytics;

import java.math.BigDecimal;
import java.math.RoundingMode;

import org.coalition.gateway.analytics.AnalyticsTypes.CampaignGroup;

/** The arithmetic of the figures, in one place (README "Program analytics" documents each formula). */
final class AnalyticsFormulas {

    /** Money per member and other averages: four decimals, like stored amounts. */
    static final int MONEY_SCALE = 4;
    private static final double SECONDS_PER_DAY = 86_400d;
    /** A retention rate of 1 would make the projection the horizon times the spend; it stays below. */
    static final double MAX_RETENTION_RATE = 0.99;

    private AnalyticsFormulas() {
    }

    static BigDecimal perMember(BigDecimal amount, long members) {
        return members == 0 ? null : amount.divide(BigDecimal.valueOf(members), MONEY_SCALE, RoundingMode.HALF_EVEN);
    }

    static Double ratio(double part, double whole) {
        return whole == 0 ? null : part / whole;
    }

    static Double days(double pointSeconds, long points) {
        return points == 0 ? null : pointSeconds / points / SECONDS_PER_DAY;
    }

    /** r + r^2 + ... + r^h: the expected months a member active now is still active over the next h months. */
    static double expectedActiveMonths(double retention, int horizonMonths) {
        double r = Math.min(Math.max(retention, 0), MAX_RETENTION_RATE);
        return r == 0 ? 0 : r * (1 - Math.pow(r, horizonMonths)) / (1 - r);
    }

    /** historicalClv + lastMonthSpendPerMember x (r + ... + r^h); null without a historical value. */
    static BigDecimal projectedClv(BigDecimal historicalClv, BigDecimal lastMonthSpendPerMember, Double retention, int horizonMonths) {
        if (historicalClv == null) {
            return null;
        }
        double months = retention == null ? 0 : expectedActiveMonths(retention, horizonMonths);
        BigDecimal ahead = lastMonthSpendPerMember == null ? BigDecimal.ZERO
                : lastMonthSpendPerMember.multiply(BigDecimal.valueOf(months));
        return historicalClv.add(ahead).setScale(MONEY_SCALE, RoundingMode.HALF_EVEN);
    }

    /** The rewarded group's change in spend per member (during minus before) less the control group's. */
    static BigDecimal uplift(CampaignGroup rewarded, CampaignGroup control) {
        if (rewarded.members() == 0 || control.members() == 0) {
            return null;
        }
        return rewarded.spendDuringPerMember().subtract(rewarded.spendBeforePerMember())
                .subtract(control.spendDuringPerMember().subtract(control.spendBeforePerMember()));
    }

    static Double roi(BigDecimal incrementalSpend, BigDecimal cost) {
        if (incrementalSpend == null || cost.signum() == 0) {
            return null;
        }
        return incrementalSpend.subtract(cost).doubleValue() / cost.doubleValue();
    }
}
