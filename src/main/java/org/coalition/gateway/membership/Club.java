package org.coalition.gateway.membership;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * A paid club of {@code partner-contracts/coalition/clubs.yaml} (read and validated by {@link ClubCatalogReader}):
 * the fee a member pays the selling partner per term, the benefit while active, who may sell it, the seller's
 * commission and the cooling-off days of a full refund.
 */
public record Club(String id, String name, BigDecimal feeAmount, String currency, Period term, BigDecimal earnMultiplier,
        List<String> soldBy, BigDecimal commissionShare, int coolingOffDays) {

    /** Amounts are kept to this many decimals, as in settlement records. */
    static final int AMOUNT_SCALE = 4;

    public boolean soldBy(String partnerId) {
        return soldBy.contains(partnerId);
    }

    /** What the selling partner keeps of one fee: fee x commission share, to 4 decimals, half-even. */
    public BigDecimal commission() {
        return feeAmount.multiply(commissionShare).setScale(AMOUNT_SCALE, RoundingMode.HALF_EVEN);
    }

    /** What the selling partner owes the operator for one fee: the fee less the commission, so the two add up exactly. */
    public BigDecimal operatorShare() {
        return feeAmount.setScale(AMOUNT_SCALE, RoundingMode.UNNECESSARY).subtract(commission());
    }

    /** The end of a term that starts at {@code from} (calendar arithmetic in UTC: P1M from 31 Jan ends 28/29 Feb). */
    public Instant termEnd(Instant from) {
        return from.atOffset(ZoneOffset.UTC).plus(term).toInstant();
    }

    /** Until when (exclusive) a membership that started at {@code startsAt} may be cancelled with a full refund. */
    public static Instant coolingOffEnd(Instant startsAt, int coolingOffDays) {
        return startsAt.plus(coolingOffDays, ChronoUnit.DAYS);
    }
}
