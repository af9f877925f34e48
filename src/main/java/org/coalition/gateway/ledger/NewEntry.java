package org.coalition.gateway.ledger;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.coalition.gateway.shared.Invariant;

/**
 * A journal entry about to be posted: the transaction as partners see it plus its postings.
 * {@code points} is signed from the member's point of view.
 */
public record NewEntry(
        UUID id,
        TransactionKind kind,
        UUID memberId,
        String partnerId,
        int points,
        BigDecimal purchaseAmount,
        String currency,
        Channel channel,
        String partnerReference,
        Instant occurredAt,
        UUID reversesId,
        Integer contractVersion,
        List<Posting> postings,
        Optional<NewLot> lot,
        Integer reversedPoints) {

    public NewEntry {
        Invariant.check(PostingTemplate.sum(postings) == 0, "entry " + id + " postings sum to " + PostingTemplate.sum(postings));
        Invariant.check(postings.stream().allMatch(p -> p.amount() != 0), "entry " + id + " has a zero posting");
    }

    /** Points a member received from an earn, and when they expire. */
    public record NewLot(String issuerId, int points, Instant earnedAt, Instant expiresAt) {
        public NewLot {
            Invariant.check(points > 0, "a lot must hold points");
        }
    }
}
