package org.coalition.gateway.ledger;

import static org.coalition.gateway.ledger.AccountKind.BREAKAGE;
import static org.coalition.gateway.ledger.AccountKind.MEMBER;
import static org.coalition.gateway.ledger.AccountKind.PARTNER_ISSUED;
import static org.coalition.gateway.ledger.AccountKind.PARTNER_REDEEMED;

import java.util.ArrayList;
import java.util.List;

import org.coalition.gateway.shared.Invariant;

/**
 * The money movement of each transaction kind as data: which accounts, which signs. Every entry the
 * gateway posts is built here, and every template balances to zero by construction and by assertion.
 */
public enum PostingTemplate {
    /** A partner issues points to a member. */
    EARN(TransactionKind.EARN, new Leg(PARTNER_ISSUED, -1), new Leg(MEMBER, +1)),
    /** A partner's campaign gives a member bonus points on an earn: issued like an earn, by the funding partner. */
    BONUS(TransactionKind.BONUS, new Leg(PARTNER_ISSUED, -1), new Leg(MEMBER, +1)),
    /** A member spends points at a partner. */
    REDEMPTION(TransactionKind.REDEMPTION, new Leg(MEMBER, -1), new Leg(PARTNER_REDEEMED, +1)),
    /** A member gives points to a charity partner: a redemption at the charity. */
    DONATION(TransactionKind.DONATION, new Leg(MEMBER, -1), new Leg(PARTNER_REDEEMED, +1)),
    /** Points that reached the end of their validity unused. */
    EXPIRY(TransactionKind.EXPIRY, new Leg(MEMBER, -1), new Leg(BREAKAGE, +1)),
    /** Returned goods: the issuing partner takes back points it issued. */
    EARN_REVERSAL(TransactionKind.REVERSAL, new Leg(MEMBER, -1), new Leg(PARTNER_ISSUED, +1)),
    /** A cancelled order: the partner gives back points redeemed at it. */
    REDEMPTION_REVERSAL(TransactionKind.REVERSAL, new Leg(MEMBER, +1), new Leg(PARTNER_REDEEMED, -1)),
    /** A member gives points to another member (the counterparty): no partner account moves. */
    TRANSFER(TransactionKind.TRANSFER, new Leg(MEMBER, -1), Leg.counterparty(+1)),
    /** The operator takes a transfer back: the recipient (the counterparty) returns points to the sender. */
    TRANSFER_REVERSAL(TransactionKind.REVERSAL, new Leg(MEMBER, +1), Leg.counterparty(-1));

    private final TransactionKind kind;
    private final List<Leg> legs;

    PostingTemplate(TransactionKind kind, Leg... legs) {
        this.kind = kind;
        this.legs = List.of(legs);
    }

    public TransactionKind kind() {
        return kind;
    }

    /** The postings for moving the given points; none for zero points (a purchase too small to earn). */
    public List<Posting> postings(long points, LedgerAccounts accounts) {
        Invariant.check(points >= 0, kind + " of negative points " + points);
        if (points == 0) {
            return List.of();
        }
        List<Posting> postings = new ArrayList<>(legs.size());
        for (Leg leg : legs) {
            long account = leg.counterparty() ? accounts.counterpartyMember() : accounts.of(leg.account());
            postings.add(new Posting(account, leg.sign() * points));
        }
        Invariant.check(sum(postings) == 0, kind + " entry does not balance");
        return postings;
    }

    /** The change of the member's own balance, signed from the member's point of view. */
    public long memberDelta(long points) {
        Invariant.check(points >= 0, kind + " of negative points " + points);
        long delta = 0;
        for (Leg leg : legs) {
            if (leg.account() == MEMBER && !leg.counterparty()) {
                delta += leg.sign() * points;
            }
        }
        return delta;
    }

    static long sum(List<Posting> postings) {
        long sum = 0;
        for (Posting posting : postings) {
            sum += posting.amount();
        }
        return sum;
    }

    /** One side of an entry; {@code counterparty} marks the other member's account of a member-to-member entry. */
    private record Leg(AccountKind account, int sign, boolean counterparty) {
        Leg(AccountKind account, int sign) {
            this(account, sign, false);
        }

        static Leg counterparty(int sign) {
            return new Leg(MEMBER, sign, true);
        }
    }
}
