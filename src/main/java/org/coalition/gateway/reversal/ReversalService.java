package org.coalition.gateway.reversal;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.ledger.AccountBook;
import org.coalition.gateway.ledger.EntryIds;
import org.coalition.gateway.ledger.JournalWriter;
import org.coalition.gateway.ledger.LotReversals;
import org.coalition.gateway.ledger.NewEntry;
import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.ledger.PostingTemplate;
import org.coalition.gateway.ledger.TransactionKind;
import org.coalition.gateway.ledger.TransactionRepository;
import org.coalition.gateway.member.MemberRepository;
import org.coalition.gateway.member.MemberRepository.MemberAccount;
import org.coalition.gateway.operations.Tracing;
import org.coalition.gateway.partner.PartnerContract;
import org.coalition.gateway.partner.PartnerDirectory;
import org.coalition.gateway.redemption.PointSpending;
import org.coalition.gateway.settlement.SettlementRecorder;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.UserErrors;
import org.coalition.gateway.tenancy.Caller;

/**
 * A partner takes back its own transaction: an earn for returned goods, a redemption for a cancelled
 * order, in full or in part, within its contract's reversal window. Reversals of one member queue on
 * the member's row lock, so two reversals of one transaction can never reverse more than it had.
 */
@ApplicationScoped
public class ReversalService {

    static final int MAX_REASON_LENGTH = 500;
    private static final String CLAWBACK = """
            insert into clawbacks (entry_id, original_id, partner_id, member_id, points) values ($1, $2, $3, $4, $5)
            """;
    /** Returned goods stop counting towards the member's tier (V38). */
    private static final String UNQUALIFY = "select tier_unqualify($1, $2, $3, $4)";
    /** The earn's bonuses paid on its basket, with their lots and what earlier reversals of them claimed. */
    private static final String PAID_BONUSES = """
            select g.entry_id, g.campaign_id, g.points, l.id as lot_id, l.issuer_id, l.remaining,
                   coalesce((select sum(r.reversed_points) from journal_entries r where r.reverses_id = g.entry_id), 0)::int as reversed
            from bonus_grants g join lots l on l.entry_id = g.entry_id
            where g.earn_entry_id = $1 and g.referral is null and g.challenge_id is null
            order by g.granted_at, g.entry_id
            """;

    private final PartnerDirectory partners;
    private final MemberRepository members;
    private final TransactionRepository transactions;
    private final JournalWriter journal;
    private final LotReversals lots;
    private final AccountBook accounts;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;
    private final SettlementRecorder settlement;

    public ReversalService(PartnerDirectory partners, MemberRepository members, TransactionRepository transactions,
            JournalWriter journal, LotReversals lots, AccountBook accounts, IdempotentTransactions idempotent,
            RequestFingerprints fingerprints, SettlementRecorder settlement) {
        this.settlement = settlement;
        this.partners = partners;
        this.members = members;
        this.transactions = transactions;
        this.journal = journal;
        this.lots = lots;
        this.accounts = accounts;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
    }

    @WithSpan
    public Uni<ReverseTransactionPayload> reverse(Caller caller, ReverseTransactionInput input) {
        Tracing.tag(caller, "reverseTransaction");
        try {
            PartnerContract contract = partners.requireActive(caller.partnerId());
            UUID originalId = validate(input);
            return idempotent.execute(caller, fingerprints.of(caller, "reverseTransaction", input.idempotencyKey, input),
                            (connection, reversalId) -> reverse(connection, contract, originalId, input, reversalId),
                            this::replay)
                    .onFailure(UserErrors::answerable)
                    .recoverWithItem(failure -> ReverseTransactionPayload.failed(UserErrors.of(failure)));
        } catch (BusinessFailure failure) {
            return Uni.createFrom().item(ReverseTransactionPayload.failed(failure.errors()));
        }
    }

    private static UUID validate(ReverseTransactionInput input) {
        IdempotencyKeyRule.require(input.idempotencyKey);
        if (input.points != null && input.points <= 0) {
            throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "points must be greater than zero", "input", "points");
        }
        if (input.reason != null && input.reason.length() > MAX_REASON_LENGTH) {
            throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "reason is at most " + MAX_REASON_LENGTH + " characters",
                    "input", "reason");
        }
        try {
            return UUID.fromString(input.transactionId);
        } catch (IllegalArgumentException e) {
            throw notFound();
        }
    }

    private Uni<ReverseTransactionPayload> reverse(SqlConnection connection, PartnerContract contract, UUID originalId,
            ReverseTransactionInput input, UUID reversalId) {
        return ownTransaction(connection, contract, originalId)
                .flatMap(original -> members.lock(connection, original.memberId())
                        // read again under the member's lock: an earlier reversal may have just committed
                        .flatMap(member -> ownTransaction(connection, contract, originalId)
                                .flatMap(current -> {
                                    int points = reversiblePoints(contract, current, input.points);
                                    return current.kind() == TransactionKind.EARN
                                            ? reverseEarn(connection, current, member, points, reversalId)
                                            : reverseRedemption(connection, current, member, points, reversalId);
                                })))
                .flatMap(outcome -> transactions.find(connection, originalId)
                        .map(original -> ReverseTransactionPayload.reversed(outcome.transaction(), original.orElseThrow(),
                                outcome.shortfall())));
    }

    private Uni<PointTransaction> ownTransaction(SqlConnection connection, PartnerContract contract, UUID id) {
        return transactions.find(connection, id).map(found -> found
                .filter(transaction -> transaction.partnerId().equals(contract.id()))
                .orElseThrow(ReversalService::notFound));
    }

    /** How many points this reversal takes, or why none may be taken. */
    static int reversiblePoints(PartnerContract contract, PointTransaction original, Integer requested) {
        if (original.kind() != TransactionKind.EARN && original.kind() != TransactionKind.REDEMPTION) {
            throw BusinessFailure.of(ErrorCode.NOT_REVERSIBLE, "Only earns and redemptions can be reversed", "input", "transactionId");
        }
        int windowDays = contract.versionAt(original.occurredAt()).map(version -> version.reversal().windowDays()).orElse(0);
        // The window runs from the purchase, as a shop's return policy does, not from when the till posted it.
        if (original.occurredAt().plus(Duration.ofDays(windowDays)).isBefore(Instant.now())) {
            throw BusinessFailure.of(ErrorCode.NOT_REVERSIBLE, "The reversal window of " + windowDays + " days has passed",
                    "input", "transactionId");
        }
        int points = requested == null ? original.reversiblePoints() : requested;
        if (original.reversiblePoints() == 0 || points > original.reversiblePoints()) {
            throw BusinessFailure.of(ErrorCode.NOT_REVERSIBLE, "Only " + original.reversiblePoints()
                    + " points of this transaction are left to reverse", "input", "points");
        }
        return points;
    }

    record Outcome(PointTransaction transaction, int shortfall) {
    }

    /** Takes back what is left of the earn's points; what the member already spent is the clawback shortfall. */
    private Uni<Outcome> reverseEarn(SqlConnection connection, PointTransaction original, MemberAccount member, int points,
            UUID reversalId) {
        UUID earnId = UUID.fromString(original.id());
        return lots.earnedLot(connection, earnId)
                .flatMap(lot -> takeBack(connection, original, member, reversalId, earnId, lot, original.partnerId(), points,
                        member.balance() - member.held()))
                .call(ignored -> connection.preparedQuery(UNQUALIFY).execute(Tuple.of(member.id(), original.partnerId(), points,
                        original.occurredAt().atOffset(java.time.ZoneOffset.UTC))))
                .call(back -> reverseBonuses(connection, original, member, points, member.balance() - member.held() - back.taken()))
                .map(back -> {
                    Log.debugf("reversed earn %s: %d of %d points, shortfall %d", original.id(), back.taken(), points, back.shortfall());
                    return new Outcome(PointTransaction.posted(back.entry(), back.postedAt()), back.shortfall());
                });
    }

    /** What one take-back posted: its entry, when, the points it took and the shortfall it recorded. */
    record TakenBack(NewEntry entry, Instant postedAt, int taken, int shortfall) {
    }

    /**
     * Takes up to {@code claim} points back out of the lot an earn or a bonus opened, as a REVERSAL of entry
     * {@code reversesId}: as many as the lot still has and the member has {@code available}. The funder (the lot's
     * issuer) gets its issuance fee back for what was taken, unless it is the operator, whose points cost nothing; what
     * the member already spent is the clawback shortfall.
     */
    private Uni<TakenBack> takeBack(SqlConnection connection, PointTransaction earn, MemberAccount member, UUID reversalId,
            UUID reversesId, LotReversals.EarnedLot lot, String funder, int claim, long available) {
        int taken = (int) Math.min(claim, Math.min(lot.remaining(), Math.max(0, available)));
        int shortfall = claim - taken;
        NewEntry entry = new NewEntry(reversalId, TransactionKind.REVERSAL, member.id(), earn.partnerId(), -taken, null, null,
                null, earn.partnerReference(), Instant.now().truncatedTo(ChronoUnit.MICROS), reversesId, null,
                PostingTemplate.EARN_REVERSAL.postings(taken, accounts.accountsFor(member.accountId(), funder)),
                Optional.empty(), claim);
        return journal.post(connection, entry)
                .call(postedAt -> lots.takeBack(connection, lot, taken, reversalId, member.id(), earn.partnerId()))
                .call(postedAt -> members.adjustBalance(connection, member.id(), -taken))
                .call(postedAt -> settlement.write(connection, reversalId, member.id(), taken == 0 || settlement.isOperator(funder)
                        ? List.of()
                        : List.of(settlement.earnReversal(settlement.versionAt(funder, earn.occurredAt()), funder, taken))))
                .call(postedAt -> shortfall == 0 ? Uni.createFrom().voidItem()
                        : connection.preparedQuery(CLAWBACK).execute(Tuple.of(reversalId, reversesId, earn.partnerId(),
                                member.id(), shortfall)).replaceWithVoid())
                .map(postedAt -> new TakenBack(entry, postedAt, taken, shortfall));
    }

    /** A campaign's reversed bonus goes back to its budget and off the member's tally for the cap (V46). */
    private static final String RETURNED_TO_CAMPAIGN = "select campaign_bonus_returned($1, $2, $3)";

    /**
     * A bonus the earn paid, as it stands: the campaign that paid it (none for the tier's and the club's), its points,
     * the lot they went to, and how many were already reversed.
     */
    record PaidBonus(UUID entryId, UUID campaignId, int points, LotReversals.EarnedLot lot, int reversed) {
    }

    /**
     * The bonuses paid on the basket (campaigns, the tier's and the club's multipliers) follow the earn back in
     * proportion: after reversing R of the earn's E points, each bonus of B points has floor(B x R / E) reversed, so
     * a return in parts ends where a return in full does. What the member already spent is the clawback shortfall,
     * as for the earn. Referral and challenge rewards stay: they were paid for being referred or for a visit, and
     * neither is undone by returning goods. Each bonus reversal is a transaction of its own, refunding the funder's
     * issuance fee when a partner funded it (an operator-funded bonus cost nobody anything); a campaign's bonus also
     * goes back to the campaign's budget and off the member's tally for its cap, spent or not.
     */
    private Uni<Void> reverseBonuses(SqlConnection connection, PointTransaction earn, MemberAccount member, int points,
            long available) {
        int reversedAfter = earn.points() - earn.reversiblePoints() + points;
        return connection.preparedQuery(PAID_BONUSES).execute(Tuple.of(UUID.fromString(earn.id()))).flatMap(rows -> {
            List<PaidBonus> bonuses = new java.util.ArrayList<>();
            rows.forEach(row -> bonuses.add(new PaidBonus(row.getUUID("entry_id"), row.getUUID("campaign_id"), row.getInteger("points"),
                    new LotReversals.EarnedLot(row.getLong("lot_id"), row.getString("issuer_id"), row.getInteger("remaining")),
                    row.getInteger("reversed"))));
            Uni<Long> left = Uni.createFrom().item(available);
            for (PaidBonus bonus : bonuses) {
                int claim = BonusShares.toReverse(bonus.points(), earn.points(), reversedAfter) - bonus.reversed();
                if (claim > 0) {
                    left = left.flatMap(stillAvailable -> reverseBonus(connection, earn, member, bonus, claim, stillAvailable));
                }
            }
            return left.replaceWithVoid();
        });
    }

    /** Reverses {@code claim} points of one bonus; answers what the member has available after it. */
    private Uni<Long> reverseBonus(SqlConnection connection, PointTransaction earn, MemberAccount member, PaidBonus bonus, int claim,
            long available) {
        return takeBack(connection, earn, member, EntryIds.next(), bonus.entryId(), bonus.lot(), bonus.lot().issuerId(), claim,
                available)
                .call(back -> bonus.campaignId() == null ? Uni.createFrom().voidItem()
                        : connection.preparedQuery(RETURNED_TO_CAMPAIGN).execute(Tuple.of(bonus.campaignId(), member.id(), claim))
                                .replaceWithVoid())
                .map(back -> available - back.taken());
    }

    /** Gives the redeemed points back to the lots they came from, with their original expiry. */
    private Uni<Outcome> reverseRedemption(SqlConnection connection, PointTransaction original, MemberAccount member,
            int points, UUID reversalId) {
        NewEntry entry = reversalEntry(reversalId, original, member, points, points, PostingTemplate.REDEMPTION_REVERSAL, points);
        return journal.post(connection, entry)
                .flatMap(postedAt -> lots.giveBack(connection, UUID.fromString(original.id()), points, reversalId,
                                member.id(), original.partnerId())
                        .flatMap(returned -> settlement.write(connection, reversalId, member.id(), settlement.redemptionReversal(
                                settlement.versionAt(original.partnerId(), original.occurredAt()), original.partnerId(),
                                PointSpending.byIssuer(returned))))
                        .flatMap(ignored -> members.adjustBalance(connection, member.id(), points))
                        .map(ignored -> new Outcome(PointTransaction.posted(entry, postedAt), 0)));
    }

    private NewEntry reversalEntry(UUID reversalId, PointTransaction original, MemberAccount member, int memberPoints,
            int reversedPoints, PostingTemplate template, int moved) {
        return new NewEntry(reversalId, TransactionKind.REVERSAL, member.id(), original.partnerId(), memberPoints, null, null,
                null, original.partnerReference(), Instant.now().truncatedTo(ChronoUnit.MICROS), UUID.fromString(original.id()),
                null, template.postings(moved, accounts.accountsFor(member.accountId(), original.partnerId())),
                Optional.empty(), reversedPoints);
    }

    private Uni<ReverseTransactionPayload> replay(SqlConnection connection, UUID reversalId) {
        return transactions.find(connection, reversalId).flatMap(found -> {
            PointTransaction reversal = found.orElseThrow(() -> new IllegalStateException("idempotency key names missing entry " + reversalId));
            return transactions.find(connection, reversal.reversesId())
                    .flatMap(original -> connection.preparedQuery("select points from clawbacks where entry_id = $1")
                            .execute(Tuple.of(reversalId))
                            .map(rows -> ReverseTransactionPayload.reversed(reversal, original.orElseThrow(),
                                    rows.size() == 0 ? 0 : rows.iterator().next().getInteger("points"))));
        });
    }

    private static BusinessFailure notFound() {
        return BusinessFailure.of(ErrorCode.TRANSACTION_NOT_FOUND, "No transaction of this partner has this id",
                "input", "transactionId");
    }
}
