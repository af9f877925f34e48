package org.coalition.gateway.ledger;

import org.eclipse.microprofile.graphql.Enum;

@Enum("TransactionKind")
public enum TransactionKind {
    EARN,
    REDEMPTION,
    REVERSAL,
    EXPIRY,
    DONATION,
    ADJUSTMENT,
    /** Bonus points a partner's campaign granted on an earn. */
    BONUS,
    /** Points a member gave another member: moved between their accounts, lots keeping their issuer. */
    TRANSFER
}
