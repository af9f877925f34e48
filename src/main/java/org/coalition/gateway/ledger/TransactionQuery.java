package org.coalition.gateway.ledger;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.coalition.gateway.shared.PageRequest;

/**
 * What a transactions read may return, after the caller's visibility was applied: a partner's query
 * always carries its own partner id, a member's its own token subject.
 */
public record TransactionQuery(UUID memberId, String memberSubject, String partnerId, List<TransactionKind> kinds, Instant from, Instant to,
        PageRequest page) {
}
