package org.coalition.gateway.ledger;

import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Points moved per partner and kind (earned, redeemed, donated, reversed, expired), for dashboards and
 * alerts. Counted as entries are written, so a transaction that rolls back afterwards (rare: a failure
 * after the entry, inside the same transaction) is still counted: the ledger, not this, is the record.
 */
@ApplicationScoped
public class LedgerMetrics {

    static final String POINTS = "coalition.points";

    private final MeterRegistry registry;

    public LedgerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void posted(NewEntry entry) {
        if (entry.points() == 0) {
            return;
        }
        registry.counter(POINTS, "partner", entry.partnerId(), "kind", entry.kind().name().toLowerCase(Locale.ROOT))
                .increment(Math.abs(entry.points()));
    }

    /** Bonus points a campaign granted, booked in SQL beside the earn. */
    public void bonusGranted(String partnerId, int points) {
        registry.counter(POINTS, "partner", partnerId, "kind", "bonus").increment(points);
    }
}
