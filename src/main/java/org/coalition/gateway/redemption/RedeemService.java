package org.coalition.gateway.redemption;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.ledger.PostingTemplate;
import org.coalition.gateway.member.MemberKey;
import org.coalition.gateway.member.MemberRefInput;
import org.coalition.gateway.member.MemberRepository;
import org.coalition.gateway.member.PostedTransactions;
import org.coalition.gateway.partner.PartnerContract;
import org.coalition.gateway.partner.PartnerDirectory;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.UserError;
import org.coalition.gateway.tenancy.Caller;

/**
 * Spends a member's points at the calling partner. One short transaction: a conditional debit of the
 * member's available points (the race-free guard against overdraft), the journal entry, and the lots it
 * consumes oldest first.
 */
@ApplicationScoped
public class RedeemService {

    static final int MAX_POINTS_PER_REDEMPTION = 10_000_000;
    static final int MAX_REFERENCE_LENGTH = 128;

    private final PartnerDirectory partners;
    private final MemberRepository members;
    private final PointSpending spending;
    private final PostedTransactions posted;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;

    public RedeemService(PartnerDirectory partners, MemberRepository members, PointSpending spending,
            PostedTransactions posted, IdempotentTransactions idempotent, RequestFingerprints fingerprints) {
        this.partners = partners;
        this.members = members;
        this.spending = spending;
        this.posted = posted;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
    }

    public Uni<RedeemPointsPayload> redeem(Caller caller, RedeemPointsInput input) {
        try {
            Redemption redemption = validate(caller, input, Instant.now());
            return idempotent.execute(caller, fingerprints.of(caller, "redeemPoints", input.idempotencyKey, input),
                            (connection, entryId) -> post(connection, entryId, redemption),
                            this::replay)
                    .onFailure(BusinessFailure.class)
                    .recoverWithItem(failure -> RedeemPointsPayload.failed(((BusinessFailure) failure).errors()));
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

    private Uni<RedeemPointsPayload> post(SqlConnection connection, UUID entryId, Redemption redemption) {
        RedeemPointsInput input = redemption.input();
        PointSpending.Spend spend = new PointSpending.Spend(entryId, PostingTemplate.REDEMPTION, redemption.contract().id(),
                input.points, input.channel, input.partnerReference, redemption.occurredAt(), redemption.version().number());
        return members.debitAvailable(connection, redemption.member(), input.points)
                .flatMap(member -> spending.post(connection, spend, member)
                        .map(transaction -> RedeemPointsPayload.posted(transaction, member.view())));
    }

    private Uni<RedeemPointsPayload> replay(SqlConnection connection, UUID entryId) {
        return posted.load(connection, entryId).map(replayed -> RedeemPointsPayload.posted(replayed.transaction(), replayed.member()));
    }
}
