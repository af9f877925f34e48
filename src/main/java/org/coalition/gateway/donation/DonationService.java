package org.coalition.gateway.donation;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.ledger.EntryIds;
import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.ledger.PostingTemplate;
import org.coalition.gateway.member.MemberKey;
import org.coalition.gateway.member.MemberRepository;
import org.coalition.gateway.member.PostedTransactions;
import org.coalition.gateway.operations.Tracing;
import org.coalition.gateway.partner.PartnerContract;
import org.coalition.gateway.partner.PartnerDirectory;
import org.coalition.gateway.partner.PartnerKind;
import org.coalition.gateway.redemption.PointSpending;
import org.coalition.gateway.redemption.RedeemPointsPayload;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.UserError;
import org.coalition.gateway.shared.UserErrors;
import org.coalition.gateway.tenancy.Caller;

/** A member gives points to a charity partner: spent like a redemption, oldest points first. */
@ApplicationScoped
public class DonationService {

    static final int MAX_POINTS_PER_DONATION = 10_000_000;

    private final PartnerDirectory partners;
    private final MemberRepository members;
    private final PointSpending spending;
    private final PostedTransactions posted;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;

    public DonationService(PartnerDirectory partners, MemberRepository members, PointSpending spending,
            PostedTransactions posted, IdempotentTransactions idempotent, RequestFingerprints fingerprints) {
        this.partners = partners;
        this.members = members;
        this.spending = spending;
        this.posted = posted;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
    }

    @WithSpan
    public Uni<RedeemPointsPayload> donate(Caller member, DonatePointsInput input) {
        Tracing.tag(member, "donatePoints");
        try {
            PartnerContract charity = validate(input);
            MemberKey donor = new MemberKey.BySubject(member.subject());
            return idempotent.execute(member, fingerprints.of(member, "donatePoints", input.idempotencyKey, input),
                            (connection, entryId) -> donate(connection, entryId, charity, donor, input.points),
                            this::replay)
                    .onFailure(UserErrors::answerable)
                    .recoverWithItem(failure -> RedeemPointsPayload.failed(UserErrors.of(failure)));
        } catch (BusinessFailure failure) {
            return Uni.createFrom().item(RedeemPointsPayload.failed(failure.errors()));
        }
    }

    private PartnerContract validate(DonatePointsInput input) {
        List<UserError> errors = new ArrayList<>();
        IdempotencyKeyRule.check(input.idempotencyKey).ifPresent(errors::add);
        if (input.points <= 0) {
            errors.add(UserError.invalid("points must be greater than zero", "input", "points"));
        } else if (input.points > MAX_POINTS_PER_DONATION) {
            errors.add(UserError.of(ErrorCode.LIMIT_EXCEEDED, "At most " + MAX_POINTS_PER_DONATION + " points per donation",
                    "input", "points"));
        }
        if (!errors.isEmpty()) {
            throw new BusinessFailure(errors);
        }
        return charity(input.charityPartnerId);
    }

    /** A charity partner that accepts donations now. */
    public PartnerContract charity(String charityPartnerId) {
        PartnerContract charity = partners.byId(charityPartnerId).orElseThrow(() -> BusinessFailure.of(
                ErrorCode.PARTNER_NOT_FOUND, "No partner has this id", "input", "charityPartnerId"));
        if (charity.kind() != PartnerKind.CHARITY) {
            throw BusinessFailure.of(ErrorCode.INVALID_INPUT, charity.name() + " is not a charity", "input", "charityPartnerId");
        }
        if (!charity.active()) {
            throw BusinessFailure.of(ErrorCode.CONTRACT_INACTIVE, charity.name() + " does not accept donations now",
                    "input", "charityPartnerId");
        }
        return charity;
    }

    /** Gives points of a member to a charity inside a transaction of the caller's: an erasure's remaining points. */
    public Uni<PointTransaction> donateWithin(SqlConnection connection, PartnerContract charity, UUID memberId, int points) {
        return donate(connection, EntryIds.next(), charity, new MemberKey.ById(memberId), points)
                .map(RedeemPointsPayload::transaction);
    }

    private Uni<RedeemPointsPayload> donate(SqlConnection connection, UUID entryId, PartnerContract charity, MemberKey donor,
            int points) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        PointSpending.Spend spend = new PointSpending.Spend(entryId, PostingTemplate.DONATION, charity.id(), points, null,
                null, now, charity.versionAt(now).map(PartnerContract.Version::number).orElse(null));
        return members.debitAvailable(connection, donor, points)
                .onFailure(BusinessFailure.class).transform(DonationService::claimFirst)
                .flatMap(member -> spending.post(connection, spend, member)
                        .map(transaction -> RedeemPointsPayload.posted(transaction, member.view())));
    }

    /** A login that has not claimed a card has no points to give. */
    private static Throwable claimFirst(Throwable failure) {
        BusinessFailure business = (BusinessFailure) failure;
        if (business.errors().get(0).code() == ErrorCode.MEMBER_NOT_FOUND) {
            return BusinessFailure.of(ErrorCode.MEMBER_NOT_FOUND, "Claim your card with claimMembership before donating");
        }
        return failure;
    }

    private Uni<RedeemPointsPayload> replay(SqlConnection connection, UUID entryId) {
        return posted.load(connection, entryId).map(replayed -> RedeemPointsPayload.posted(replayed.transaction(), replayed.member()));
    }
}
