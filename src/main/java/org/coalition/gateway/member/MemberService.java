package org.coalition.gateway.member;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;

import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.member.MemberPayloads.ClaimMembershipPayload;
import org.coalition.gateway.member.MemberPayloads.EnrollMemberPayload;
import org.coalition.gateway.member.MemberRepository.MemberAccount;
import org.coalition.gateway.operations.Tracing;
import org.coalition.gateway.partner.PartnerDirectory;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.UserError;
import org.coalition.gateway.shared.UserErrors;
import org.coalition.gateway.tenancy.Caller;

/** Enrolment of members by partners, and members claiming their card with their own login. */
@ApplicationScoped
public class MemberService {

    /** A generated card number that is already taken is drawn again, a few times at most. */
    static final int GENERATED_CARD_ATTEMPTS = 3;

    /**
     * $2 is the card's token under the current key, $6 its tokens under every key: a card stored under a previous
     * key is as enrolled as one stored under the current key (the unique index alone sees only the current token).
     */
    private static final String ENROLL = """
            with account as (
                insert into accounts (kind, member_id)
                select 'MEMBER', $1 where not exists (select 1 from members where card_number = any($6))
                returning id
            )
            insert into members (id, card_number, account_id, enrolled_by, card_sealed, card_key)
            select $1, $2, account.id, $3, $4, $5 from account
            on conflict (card_number) do nothing
            returning id, card_number, account_id, balance, held, enrolled_at
            """;
    private static final String CLAIM = """
            update members set subject = $2
            where card_number = any($1) and (subject is null or subject = $2)
            returning id, card_number, account_id, balance, held, enrolled_at
            """;

    private final MemberRepository members;
    private final CardTokens cards;
    private final PartnerDirectory partners;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;

    public MemberService(MemberRepository members, CardTokens cards, PartnerDirectory partners, IdempotentTransactions idempotent,
            RequestFingerprints fingerprints) {
        this.members = members;
        this.cards = cards;
        this.partners = partners;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
    }

    @WithSpan
    public Uni<EnrollMemberPayload> enroll(Caller caller, EnrollMemberInput input) {
        Tracing.tag(caller, "enrollMember");
        try {
            partners.requireActive(caller.partnerId());
        } catch (BusinessFailure inactive) {
            return Uni.createFrom().item(EnrollMemberPayload.failed(inactive.errors()));
        }
        List<UserError> errors = new ArrayList<>();
        IdempotencyKeyRule.check(input.idempotencyKey).ifPresent(errors::add);
        if (input.cardNumber != null && !CardNumbers.isWellFormed(input.cardNumber)) {
            errors.add(UserError.invalid("cardNumber must be 12 to 19 digits with a valid check digit", "input", "cardNumber"));
        }
        if (!errors.isEmpty()) {
            return Uni.createFrom().item(EnrollMemberPayload.failed(errors));
        }
        java.util.concurrent.atomic.AtomicInteger attempt = new java.util.concurrent.atomic.AtomicInteger();
        return idempotent.execute(caller, fingerprints.of(caller, "enrollMember", input.idempotencyKey, input),
                        (connection, memberId) -> insert(connection, memberId, input.cardNumber != null ? input.cardNumber
                                : cards.generated(caller.idempotencyScope(), input.idempotencyKey, attempt.getAndIncrement()),
                                input.cardNumber == null, caller.partnerId()),
                        (connection, memberId) -> existing(connection, memberId)
                                .map(member -> new Enrolled(member, shownOnReplay(caller, input, member))))
                .map(enrolled -> EnrollMemberPayload.enrolled(enrolled.member().view().withCardNumber(enrolled.card())))
                .onFailure(GeneratedCardTaken.class).retry().atMost(GENERATED_CARD_ATTEMPTS - 1)
                .onFailure(UserErrors::answerable)
                .recoverWithItem(failure -> EnrollMemberPayload.failed(UserErrors.of(failure)));
    }

    /**
     * An enrolment's answer shows the whole card number: the one time the gateway shows it. A replay shows the
     * number again: given in the request, or generated from the request's key (see {@link CardTokens#generated}).
     */
    private record Enrolled(MemberAccount member, String card) {
    }

    private String shownOnReplay(Caller caller, EnrollMemberInput input, MemberAccount member) {
        if (input.cardNumber != null) {
            return input.cardNumber;
        }
        for (int attempt = 0; attempt < GENERATED_CARD_ATTEMPTS; attempt++) {
            for (String card : cards.generatedUnderEveryKey(caller.idempotencyScope(), input.idempotencyKey, attempt)) {
                if (cards.candidates(card).contains(member.cardToken())) {
                    return card;
                }
            }
        }
        return CardTokens.display(member.cardToken());
    }

    private Uni<Enrolled> insert(SqlConnection connection, UUID memberId, String card, boolean generated, String partnerId) {
        Tuple arguments = Tuple.of(memberId, cards.token(card), partnerId, cards.seal(card), cards.keyId())
                .addArrayOfString(cards.candidates(card).toArray(String[]::new));
        return connection.preparedQuery(ENROLL).execute(arguments)
                .map(rows -> new Enrolled(MemberRepository.first(rows).orElseThrow(() -> generated
                        ? new GeneratedCardTaken()
                        : BusinessFailure.of(ErrorCode.INVALID_INPUT, "This card number is already enrolled", "input", "cardNumber")),
                        card));
    }

    @WithSpan
    public Uni<ClaimMembershipPayload> claim(Caller caller, ClaimMembershipInput input) {
        Tracing.tag(caller, "claimMembership");
        List<UserError> errors = new ArrayList<>();
        IdempotencyKeyRule.check(input.idempotencyKey).ifPresent(errors::add);
        if (!CardNumbers.isWellFormed(input.cardNumber)) {
            errors.add(UserError.invalid("cardNumber must be 12 to 19 digits with a valid check digit", "input", "cardNumber"));
        }
        if (!errors.isEmpty()) {
            return Uni.createFrom().item(ClaimMembershipPayload.failed(errors));
        }
        return idempotent.execute(caller, fingerprints.of(caller, "claimMembership", input.idempotencyKey, input),
                        (connection, ignored) -> bind(connection, input.cardNumber, caller.subject()),
                        (connection, ignored) -> members.find(connection, new MemberKey.ByCard(input.cardNumber))
                                .map(found -> found.orElseThrow(MemberRepository::notFound)))
                .map(member -> ClaimMembershipPayload.claimed(member.view().withCardNumber(input.cardNumber)))
                .onFailure(UserErrors::answerable)
                .recoverWithItem(failure -> ClaimMembershipPayload.failed(UserErrors.of(failure)));
    }

    private Uni<MemberAccount> bind(SqlConnection connection, String cardNumber, String subject) {
        return connection.preparedQuery(CLAIM).execute(Tuple.of(cards.candidates(cardNumber).toArray(String[]::new), subject))
                .onFailure(MemberService::isSubjectTaken)
                .transform(e -> BusinessFailure.of(ErrorCode.CARD_ALREADY_CLAIMED,
                        "This login has already claimed another card", "input", "cardNumber"))
                .flatMap(rows -> MemberRepository.first(rows).map(member -> Uni.createFrom().item(member))
                        .orElseGet(() -> members.find(connection, new MemberKey.ByCard(cardNumber)).map(found -> {
                            if (found.isEmpty()) {
                                throw BusinessFailure.of(ErrorCode.MEMBER_NOT_FOUND, "No member has this card number", "input", "cardNumber");
                            }
                            throw BusinessFailure.of(ErrorCode.CARD_ALREADY_CLAIMED, "This card was claimed by someone else", "input", "cardNumber");
                        })));
    }

    private static boolean isSubjectTaken(Throwable failure) {
        return failure instanceof PgException pg && "23505".equals(pg.getSqlState())
                && "members_subject_key".equals(pg.getConstraint());
    }

    private Uni<MemberAccount> existing(SqlConnection connection, UUID memberId) {
        return members.find(connection, new MemberKey.ById(memberId))
                .map(found -> found.orElseThrow(() -> new IllegalStateException("idempotency key names missing member " + memberId)));
    }

    /** Control flow for drawing another card number; never reaches a caller. */
    static final class GeneratedCardTaken extends RuntimeException {
        GeneratedCardTaken() {
            super("generated card number already taken", null, false, false);
        }
    }
}
