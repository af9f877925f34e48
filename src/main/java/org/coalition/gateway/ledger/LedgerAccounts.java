package org.coalition.gateway.ledger;

/**
 * The accounts one transaction may touch: the member's, those of the partner it happens at, and for a transfer
 * between members the other member's ({@code counterpartyMember}, 0 when there is none).
 */
public record LedgerAccounts(long member, PartnerAccounts partner, long breakage, long holds, long counterpartyMember) {

    public LedgerAccounts(long member, PartnerAccounts partner, long breakage, long holds) {
        this(member, partner, breakage, holds, 0);
    }

    public long counterpartyMember() {
        org.coalition.gateway.shared.Invariant.check(counterpartyMember > 0, "no other member's account for a transfer");
        return counterpartyMember;
    }

    /** The same accounts with the other member of a transfer. */
    public LedgerAccounts withCounterparty(long otherMemberAccount) {
        return new LedgerAccounts(member, partner, breakage, holds, otherMemberAccount);
    }

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
