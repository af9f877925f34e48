package org.coalition.gateway.ledger;

/** One leg of a journal entry: a signed number of points on one account. */
public record Posting(long accountId, long amount) {
}
