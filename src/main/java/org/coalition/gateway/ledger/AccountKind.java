package org.coalition.gateway.ledger;

public enum AccountKind {
    /** Points a member owns; the only account kind with a stored balance. */
    MEMBER,
    /** Contra account of the points a partner has issued: goes negative as its customers earn. */
    PARTNER_ISSUED,
    /** Points redeemed at a partner. */
    PARTNER_REDEEMED,
    /** Points that expired unused. */
    BREAKAGE,
    /** Points reserved by active redemption holds. */
    HOLDS
}
