package org.coalition.gateway.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.coalition.gateway.ledger.LedgerAccounts.PartnerAccounts;
import org.coalition.gateway.shared.Invariant.InvariantViolation;

/** Every kind of money movement is one template of accounts and signs, and every template balances to zero. */
class PostingTemplateTest {

    private static final long MEMBER = 11;
    private static final long PARTNER_ISSUED = 22;
    private static final long PARTNER_REDEEMED = 33;
    private static final LedgerAccounts ACCOUNTS = new LedgerAccounts(MEMBER, new PartnerAccounts(PARTNER_ISSUED, PARTNER_REDEEMED), 44, 55, 66);

    private static final long[] POINT_VALUES = {1, 2, 7, 500, 99_999, 10_000_000, Integer.MAX_VALUE, Integer.MAX_VALUE + 1L};

    @ParameterizedTest
    @EnumSource(PostingTemplate.class)
    void everyTemplateBalancesToZeroForAnyPoints(PostingTemplate template) {
        for (long points : POINT_VALUES) {
            List<Posting> postings = template.postings(points, ACCOUNTS);

            assertTrue(postings.size() >= 2, template + " of " + points + " moves points between accounts: " + postings);
            assertEquals(0, postings.stream().mapToLong(Posting::amount).sum(), template + " of " + points + ": " + postings);
            assertTrue(postings.stream().allMatch(p -> p.amount() != 0), template + " has no empty legs: " + postings);
            assertEquals(postings.size(), postings.stream().map(Posting::accountId).distinct().count(),
                    template + " touches each account once: " + postings);
        }
    }

    @ParameterizedTest
    @EnumSource(PostingTemplate.class)
    void theMemberDeltaIsWhatTheTemplatePostsOnTheMembersAccount(PostingTemplate template) {
        for (long points : POINT_VALUES) {
            long onMemberAccount = template.postings(points, ACCOUNTS).stream()
                    .filter(p -> p.accountId() == MEMBER).mapToLong(Posting::amount).sum();

            assertEquals(onMemberAccount, template.memberDelta(points), template + " of " + points);
        }
    }

    @ParameterizedTest
    @EnumSource(PostingTemplate.class)
    void zeroPointsPostNothing(PostingTemplate template) {
        assertEquals(List.of(), template.postings(0, ACCOUNTS));
    }

    @ParameterizedTest
    @EnumSource(PostingTemplate.class)
    void negativePointsBreakALedgerInvariant(PostingTemplate template) {
        assertThrows(InvariantViolation.class, () -> template.postings(-1, ACCOUNTS));
        assertThrows(InvariantViolation.class, () -> template.postings(Long.MIN_VALUE, ACCOUNTS));
    }

    @Test
    void anEarnMovesPointsFromThePartnersIssuedAccountToTheMember() {
        assertEquals(List.of(new Posting(PARTNER_ISSUED, -30), new Posting(MEMBER, 30)), PostingTemplate.EARN.postings(30, ACCOUNTS));
        assertEquals(30, PostingTemplate.EARN.memberDelta(30));
        assertEquals(TransactionKind.EARN, PostingTemplate.EARN.kind());
    }

    @Test
    void aRedemptionMovesPointsFromTheMemberToThePartnersRedeemedAccount() {
        assertEquals(List.of(new Posting(MEMBER, -30), new Posting(PARTNER_REDEEMED, 30)),
                PostingTemplate.REDEMPTION.postings(30, ACCOUNTS));
        assertEquals(-30, PostingTemplate.REDEMPTION.memberDelta(30));
        assertEquals(TransactionKind.REDEMPTION, PostingTemplate.REDEMPTION.kind());
    }

    @Test
    void aJournalEntryWhosePostingsDoNotBalanceCannotBeBuilt() {
        List<Posting> unbalanced = List.of(new Posting(PARTNER_ISSUED, -29), new Posting(MEMBER, 30));

        InvariantViolation violation = assertThrows(InvariantViolation.class, () -> entry(unbalanced));

        assertTrue(violation.getMessage().contains("sum to 1"), violation.getMessage());
    }

    @Test
    void aJournalEntryWithAOneSidedPostingCannotBeBuilt() {
        assertThrows(InvariantViolation.class, () -> entry(List.of(new Posting(MEMBER, 30))));
    }

    @Test
    void aJournalEntryWithAZeroPostingCannotBeBuilt() {
        List<Posting> withZeroLeg = List.of(new Posting(PARTNER_ISSUED, -30), new Posting(MEMBER, 30), new Posting(44, 0));

        assertThrows(InvariantViolation.class, () -> entry(withZeroLeg));
    }

    @ParameterizedTest
    @EnumSource(PostingTemplate.class)
    void aJournalEntryFromATemplateCanBeBuilt(PostingTemplate template) {
        NewEntry entry = entry(template.postings(30, ACCOUNTS));

        assertEquals(2, entry.postings().size());
    }

    private static NewEntry entry(List<Posting> postings) {
        return new NewEntry(UUID.randomUUID(), TransactionKind.EARN, UUID.randomUUID(), "freshmart", 30,
                new BigDecimal("20.00"), "EUR", Channel.STORE, "receipt-1", Instant.parse("2026-03-14T10:15:30Z"),
                null, 1, postings, Optional.empty(), null);
    }
}
