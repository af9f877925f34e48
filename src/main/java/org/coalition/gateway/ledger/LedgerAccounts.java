package org.coalition.gateway.ledger;

/** The accounts one transaction may touch: the member's, and those of the partner it happens at. */
public record LedgerAccounts(long member, PartnerAccounts partner, long breakage, long holds) {

    public long of(AccountKind kind) {
        return switch (kind) {
            case MEMBER -> member;
            case PARTNER_ISSUED -> partner.issued();
            case PARTNER_REDEEMED -> partner.redeemed();
            case BREAKAGE -> breakage;
            case HOLDS -> holds;
        };
    }

    public record PartnerAccounts(long issued, long redeemed) {
    }
}
