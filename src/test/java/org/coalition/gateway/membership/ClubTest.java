package org.coalition.gateway.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.Period;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.coalition.gateway.membership.PaidMembershipTypes.PaidMembershipStatus;

class ClubTest {

    private static Club club(String fee, String commission, Period term) {
        return new Club("C", "Club", new BigDecimal(fee), "EUR", term, BigDecimal.ONE, List.of("freshmart"),
                new BigDecimal(commission), 14);
    }

    @Test
    void commissionAndOperatorShareAddUpToTheFeeExactly() {
        Club club = club("4.99", "0.15", Period.ofMonths(1));

        assertEquals(new BigDecimal("0.7485"), club.commission());
        assertEquals(new BigDecimal("4.2415"), club.operatorShare());
        assertEquals(0, new BigDecimal("4.99").compareTo(club.commission().add(club.operatorShare())));
        assertEquals(new BigDecimal("0.0000"), club("10", "0", Period.ofYears(1)).commission());
    }

    @Test
    void aMonthlyTermEndsOnTheSameDayNextMonthOrTheMonthsLastDay() {
        Club monthly = club("1", "0.1", Period.ofMonths(1));

        assertEquals(Instant.parse("2026-02-28T10:00:00Z"), monthly.termEnd(Instant.parse("2026-01-31T10:00:00Z")));
        assertEquals(Instant.parse("2027-03-15T00:00:00Z"), club("1", "0.1", Period.ofYears(1)).termEnd(Instant.parse("2026-03-15T00:00:00Z")));
    }

    @Test
    void coolingOffEndsAfterItsDaysAndZeroDaysMeansNone() {
        Instant start = Instant.parse("2026-03-01T12:00:00Z");

        assertEquals(Instant.parse("2026-03-15T12:00:00Z"), Club.coolingOffEnd(start, 14));
        assertEquals(start, Club.coolingOffEnd(start, 0));
    }

    @Test
    void anActiveMembershipLapsesAtItsEnd() {
        Instant end = Instant.parse("2026-03-01T00:00:00Z");

        assertEquals(PaidMembershipStatus.ACTIVE, PaidMembershipStatus.at("ACTIVE", end, end.minusNanos(1000)));
        assertEquals(PaidMembershipStatus.LAPSED, PaidMembershipStatus.at("ACTIVE", end, end));
        assertEquals(PaidMembershipStatus.CANCELLED, PaidMembershipStatus.at("CANCELLED", end, end.plusSeconds(1)));
    }
}
