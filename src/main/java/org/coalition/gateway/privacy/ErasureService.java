package org.coalition.gateway.privacy;

import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.donation.DonationService;
import org.coalition.gateway.expiry.LotExpiry;
import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.member.MemberRepository;
import org.coalition.gateway.member.MemberRepository.MemberAccount;
import org.coalition.gateway.operations.Tracing;
import org.coalition.gateway.partner.PartnerContract;
import org.coalition.gateway.privacy.PrivacyTypes.EraseMemberInput;
import org.coalition.gateway.privacy.PrivacyTypes.EraseMyAccountInput;
import org.coalition.gateway.privacy.PrivacyTypes.Erasure;
import org.coalition.gateway.privacy.PrivacyTypes.ErasurePayload;
import org.coalition.gateway.privacy.PrivacyTypes.ErasureRequester;
import org.coalition.gateway.privacy.PrivacyTypes.RemainingPoints;
import org.coalition.gateway.redemption.HoldService;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.UserErrors;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * Erasure (GDPR art. 17), in one transaction: the member's active holds are voided, the remaining points are donated
 * through the donation path or forfeited to breakage through the expiry path (each with its settlement records, in
 * the open period), a receipt is written, and then the personal data goes ({@code member_erase_personal_data}, V27):
 * card token and login removed, consents, household and referral code deleted, transfer messages blanked. The
 * ledger, lots and settlement records keep the member's id, a random UUID nothing leads back to a person any more,
 * so every balance, statement and net stays exactly as it was. Erasing an erased member changes nothing and
 * answers the first receipt.
 */
@ApplicationScoped
public class ErasureService {

    private static final String LOCK_BY_SUBJECT = "select id from members where subject = $1 and erased_at is null for update";
    private static final String LOCK_BY_ID = "select id, subject from members where id = $1 and erased_at is null for update";
    private static final String RECEIPT = "select " + Erasure.COLUMNS + " from member_erasures where member_id = $1";
    private static final String RECEIPT_OF_REQUEST = "select " + Erasure.COLUMNS + " from member_erasures where request_id = $1";
    private static final String WRITE_RECEIPT = "insert into member_erasures (request_id, " + Erasure.COLUMNS.replace("erased_at, ", "")
            + ") values ($1, $2, $3, $4, $5, $6, $7) returning " + Erasure.COLUMNS;
    private static final String ERASE_PERSONAL_DATA = "select member_erase_personal_data($1, $2, $3)";

    private final MemberRepository members;
    private final HoldService holds;
    private final LotExpiry expiry;
    private final DonationService donations;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;
    private final TenantSessions sessions;

    public ErasureService(MemberRepository members, HoldService holds, LotExpiry expiry, DonationService donations,
            IdempotentTransactions idempotent, RequestFingerprints fingerprints, TenantSessions sessions) {
        this.members = members;
        this.holds = holds;
        this.expiry = expiry;
        this.donations = donations;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
        this.sessions = sessions;
    }

    /** The member erases their own account. Afterwards their login is bound to nothing. */
    @WithSpan
    public Uni<ErasurePayload> eraseMine(Caller member, EraseMyAccountInput input) {
        Tracing.tag(member, "eraseMyAccount");
        return UserErrors.answered(() -> {
            IdempotencyKeyRule.require(input.idempotencyKey);
            Optional<PartnerContract> charity = charityFor(input.remainingPoints, input.charityPartnerId);
            return idempotent.execute(member, fingerprints.of(member, "eraseMyAccount", input.idempotencyKey, input),
                            (connection, requestId) -> sessions.continueAsSystem(connection, member)
                                    .flatMap(system -> connection.preparedQuery(LOCK_BY_SUBJECT).execute(Tuple.of(member.subject())))
                                    .flatMap(rows -> {
                                        if (rows.size() == 0) {
                                            throw BusinessFailure.of(ErrorCode.MEMBER_NOT_FOUND,
                                                    "This login is bound to no member (an erased account stays erased)");
                                        }
                                        return erase(connection, new Erasing(rows.iterator().next().getUUID("id"), member.subject(),
                                                ErasureRequester.MEMBER, charity, requestId, input.idempotencyKey));
                                    }),
                            (connection, requestId) -> sessions.continueAsSystem(connection, member)
                                    .flatMap(system -> connection.preparedQuery(RECEIPT_OF_REQUEST).execute(Tuple.of(requestId)))
                                    .map(rows -> Erasure.from(rows.iterator().next())))
                    .map(ErasurePayload::of);
        }, ErasurePayload::failed);
    }

    /** An operator erases a member at their request; a member erased before answers the first receipt. */
    @WithSpan
    public Uni<ErasurePayload> eraseMember(Caller operator, EraseMemberInput input) {
        Tracing.tag(operator, "eraseMember");
        return UserErrors.answered(() -> {
            IdempotencyKeyRule.require(input.idempotencyKey);
            UUID memberId = PrivacyTypes.memberId(input.memberId);
            Optional<PartnerContract> charity = charityFor(input.remainingPoints, input.charityPartnerId);
            return idempotent.execute(operator, fingerprints.of(operator, "eraseMember", input.idempotencyKey, input),
                            (connection, ignored) -> eraseWithin(connection, operator, memberId, ErasureRequester.OPERATOR, charity),
                            (connection, ignored) -> receiptOf(connection, operator, memberId))
                    .map(ErasurePayload::of);
        }, ErasurePayload::failed);
    }

    /**
     * Erases a member inside a transaction of the caller's (an operator's erasure or retention decision), whose
     * idempotency key is already claimed. An erased member answers its receipt and nothing changes.
     */
    Uni<Erasure> eraseWithin(SqlConnection connection, Caller operator, UUID memberId, ErasureRequester requester,
            Optional<PartnerContract> charity) {
        return sessions.continueAsSystem(connection, operator)
                .flatMap(system -> connection.preparedQuery(LOCK_BY_ID).execute(Tuple.of(memberId)))
                .flatMap(rows -> rows.size() == 0
                        ? receipt(connection, memberId)
                        : erase(connection, new Erasing(memberId, rows.iterator().next().getString("subject"), requester, charity,
                                null, null)));
    }

    private Optional<PartnerContract> charityFor(RemainingPoints remaining, String charityPartnerId) {
        if (remaining != RemainingPoints.DONATE) {
            if (charityPartnerId != null) {
                throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "charityPartnerId is only for DONATE", "input", "charityPartnerId");
            }
            return Optional.empty();
        }
        if (charityPartnerId == null) {
            throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "DONATE needs the charityPartnerId of a charity", "input",
                    "charityPartnerId");
        }
        return Optional.of(donations.charity(charityPartnerId));
    }

    /**
     * One erasure: whose, at whose request, where the points go; for a member's own request its result id and
     * idempotency key, which stay so that a retry answers the same receipt.
     */
    private record Erasing(UUID memberId, String subject, ErasureRequester requester, Optional<PartnerContract> charity,
            UUID requestId, String memberKeyToKeep) {
    }

    /** Holds, points, receipt, personal data: the member's row is locked and the session is the gateway's. */
    private Uni<Erasure> erase(SqlConnection connection, Erasing erasing) {
        UUID memberId = erasing.memberId();
        Optional<PartnerContract> charity = erasing.charity();
        String memberScope = erasing.subject() == null ? "" : Caller.of(Caller.Kind.MEMBER, erasing.subject()).idempotencyScope();
        return holds.voidAllOf(connection, memberId)
                .flatMap(voided -> members.lock(connection, memberId)
                        .flatMap(member -> disposeOf(connection, member, charity))
                        .flatMap(points -> connection.preparedQuery(WRITE_RECEIPT).execute(Tuple.from(java.util.Arrays.asList(
                                erasing.requestId(), memberId, erasing.requester().name(), charity.isEmpty() ? points : 0,
                                charity.isPresent() ? points : 0, charity.map(PartnerContract::id).orElse(null), voided)))))
                .flatMap(written -> connection.preparedQuery(ERASE_PERSONAL_DATA)
                        .execute(Tuple.of(memberId, memberScope, erasing.memberKeyToKeep()))
                        .map(ignored -> Erasure.from(written.iterator().next())))
                .invoke(erasure -> Log.infof("Erased a member at the request of %s: %d points forfeited, %d donated, %d holds voided",
                        erasing.requester(), erasure.pointsForfeited(), erasure.pointsDonated(), erasure.holdsVoided()));
    }

    private Uni<Integer> disposeOf(SqlConnection connection, MemberAccount member, Optional<PartnerContract> charity) {
        int points = Math.toIntExact(member.balance());
        if (points == 0) {
            return Uni.createFrom().item(0);
        }
        return charity.isPresent()
                ? donations.donateWithin(connection, charity.get(), member.id(), points).replaceWith(points)
                : expiry.forfeitAll(connection, member);
    }

    private Uni<Erasure> receiptOf(SqlConnection connection, Caller caller, UUID memberId) {
        return sessions.continueAsSystem(connection, caller).flatMap(system -> receipt(connection, memberId));
    }

    private Uni<Erasure> receipt(SqlConnection connection, UUID memberId) {
        return connection.preparedQuery(RECEIPT).execute(Tuple.of(memberId)).map(rows -> {
            if (rows.size() == 0) {
                throw BusinessFailure.of(ErrorCode.MEMBER_NOT_FOUND, "No member has this id", "input", "memberId");
            }
            return Erasure.from(rows.iterator().next());
        });
    }
}
