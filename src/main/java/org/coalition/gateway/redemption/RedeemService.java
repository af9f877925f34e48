package org.coalition.gateway.redemption;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.ledger.AccountBook;
import org.coalition.gateway.ledger.JournalWriter;
import org.coalition.gateway.ledger.LedgerMetrics;
import org.coalition.gateway.ledger.NewEntry;
import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.ledger.Posting;
import org.coalition.gateway.ledger.PostingTemplate;
import org.coalition.gateway.member.MemberKey;
import org.coalition.gateway.member.MemberRefInput;
import org.coalition.gateway.member.MemberRepository;
import org.coalition.gateway.member.MemberRepository.MemberAccount;
import org.coalition.gateway.member.PostedTransactions;
import org.coalition.gateway.operations.Tracing;
import org.coalition.gateway.partner.PartnerContract;
import org.coalition.gateway.partner.PartnerDirectory;
import org.coalition.gateway.settlement.SettlementRecorder;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.UserError;
import org.coalition.gateway.shared.UserErrors;
import org.coalition.gateway.tenancy.Caller;

/**
 * Spends a member's points at the calling partner. One statement ({@code redeem_points}, V9): a
 * conditional debit of the member's available points (the race-free guard against overdraft), the journal
 * entry, the lots it consumes oldest first and the settlement records they give rise to.
 */
@ApplicationScoped
public class RedeemService {

    /**
     * Caller, claim, conditional debit, entry with postings, lots drawn oldest first, settlement records: one function
     * call (V9), in a transaction it may share with concurrent redemptions (GroupCommit).
     */
    private static final String REDEEM_IN_ONE_CALL = "redeem_points";

    static final int MAX_POINTS_PER_REDEMPTION = 10_000_000;
    static final int MAX_REFERENCE_LENGTH = 128;

    private final MemberRepository members;
    private final PartnerDirectory partners;
    private final PointSpending spending;
    private final PostedTransactions posted;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;
    private final SettlementRecorder settlement;
    private final LedgerMetrics ledgerMetrics;

    public RedeemService(PartnerDirectory partners, PointSpending spending, PostedTransactions posted,
            IdempotentTransactions idempotent, RequestFingerprints fingerprints, SettlementRecorder settlement,
            LedgerMetrics ledgerMetrics, MemberRepository members) {
        this.members = members;
        this.partners = partners;
        this.ledgerMetrics = ledgerMetrics;
        this.settlement = settlement;
        this.spending = spending;
        this.posted = posted;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
    }

    @WithSpan
    public Uni<RedeemPointsPayload> redeem(Caller caller, RedeemPointsInput input) {
        Tracing.tag(caller, "redeemPoints");
        try {
            Redemption redemption = validate(caller, input, Instant.now());
            return idempotent.executeInOneStatement(caller, fingerprints.of(caller, "redeemPoints", input.idempotencyKey, input),
                            REDEEM_IN_ONE_CALL, redemption.member().lockOrder(),
                            (arguments, entryId) -> addArguments(arguments, spend(entryId, redemption), redemption),
                            (row, entryId) -> posted(row, spend(entryId, redemption)), this::replay)
                    .onFailure().transform(MemberRepository::businessFailureOf)
                    .onFailure(UserErrors::answerable)
                    .recoverWithItem(failure -> RedeemPointsPayload.failed(UserErrors.of(failure)));
        } catch (BusinessFailure failure) {
            return Uni.createFrom().item(RedeemPointsPayload.failed(failure.errors()));
        }
    }

    record Redemption(PartnerContract contract, PartnerContract.Version version, MemberKey member, RedeemPointsInput input,
            Instant occurredAt) {
    }

    Redemption validate(Caller caller, RedeemPointsInput input, Instant now) {
        PartnerContract contract = partners.requireActive(caller.partnerId());
        PartnerContract.Version version = redeemingVersion(contract, now);
        List<UserError> errors = spendErrors(version.redemption(), input.idempotencyKey, input.member, input.points,
                input.partnerReference);
        if (!errors.isEmpty()) {
            throw new BusinessFailure(errors);
        }
        return new Redemption(contract, version, MemberKey.from(input.member, "input", "member"), input,
                now.truncatedTo(java.time.temporal.ChronoUnit.MICROS));
    }

    /** The contract version a partner redeems under now, or why it may not redeem at all. */
    static PartnerContract.Version redeemingVersion(PartnerContract contract, Instant now) {
        PartnerContract.Version version = contract.versionAt(now).orElseThrow(() -> BusinessFailure.of(
                ErrorCode.CONTRACT_INACTIVE, "The partner's contract is not in force"));
        if (!version.redemption().allowed()) {
            throw BusinessFailure.of(ErrorCode.FORBIDDEN, "The partner's contract does not allow redemptions");
        }
        return version;
    }

    /** What every spend at a partner checks, one-step or held: key, member, points within the contract's bounds, reference. */
    static List<UserError> spendErrors(PartnerContract.RedemptionRules rules, String idempotencyKey, MemberRefInput member,
            int points, String partnerReference) {
        List<UserError> errors = new ArrayList<>();
        IdempotencyKeyRule.check(idempotencyKey).ifPresent(errors::add);
        errors.addAll(MemberKey.validate(member, "input", "member"));
        if (points <= 0) {
            errors.add(UserError.invalid("points must be greater than zero", "input", "points"));
        } else if (points > MAX_POINTS_PER_REDEMPTION) {
            errors.add(UserError.of(ErrorCode.LIMIT_EXCEEDED, "At most " + MAX_POINTS_PER_REDEMPTION + " points per redemption", "input", "points"));
        } else if (points < rules.minimumPoints()) {
            errors.add(UserError.invalid("This partner redeems at least " + rules.minimumPoints() + " points", "input", "points"));
        }
        if (partnerReference != null && partnerReference.length() > MAX_REFERENCE_LENGTH) {
            errors.add(UserError.invalid("partnerReference is at most " + MAX_REFERENCE_LENGTH + " characters", "input", "partnerReference"));
        }
        return errors;
    }

    private static PointSpending.Spend spend(UUID entryId, Redemption redemption) {
        RedeemPointsInput input = redemption.input();
        return new PointSpending.Spend(entryId, PostingTemplate.REDEMPTION, redemption.contract().id(), input.points,
                input.channel, input.partnerReference, redemption.occurredAt(), redemption.version().number());
    }

    /** The arguments of redeem_points after caller, claim and entry id (see V9). */
    private Tuple addArguments(Tuple arguments, PointSpending.Spend spend, Redemption redemption) {
        List<Posting> postings = spending.postings(spend, AccountBook.MEMBER_ACCOUNT_IN_STATEMENT);
        // Issuers owe the redeeming partner its redemption value per point, under its version when it happened.
        PartnerContract.Version priced = settlement.versionAt(spend.partnerId(), spend.occurredAt());
        arguments.addString(MemberRepository.keyKind(redemption.member()))
                .addString(members.keyReference(redemption.member()))
                .addString(spend.partnerId())
                .addInteger(spend.points())
                .addString(spend.channel() == null ? null : spend.channel().name())
                .addString(spend.partnerReference())
                .addOffsetDateTime(spend.occurredAt().atOffset(ZoneOffset.UTC))
                .addInteger(spend.contractVersion());
        return JournalWriter.addPostings(arguments, postings)
                .addBigDecimal(priced.pricing().redemptionValue())
                .addString(priced.settlement().currency());
    }

    private RedeemPointsPayload posted(Row row, PointSpending.Spend spend) {
        MemberAccount member = MemberAccount.from(row);
        NewEntry entry = spending.entry(spend, member);
        ledgerMetrics.posted(entry);
        return RedeemPointsPayload.posted(PointTransaction.posted(entry, row.getOffsetDateTime("posted_at").toInstant()),
                member.view());
    }

    private Uni<RedeemPointsPayload> replay(SqlConnection connection, UUID entryId) {
        return posted.load(connection, entryId).map(replayed -> RedeemPointsPayload.posted(replayed.transaction(), replayed.member()));
    }
}
