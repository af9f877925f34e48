package org.coalition.gateway.membership;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;

import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.member.MemberKey;
import org.coalition.gateway.member.MemberRepository;
import org.coalition.gateway.membership.PaidMembershipTypes.CancelPaidMembershipInput;
import org.coalition.gateway.membership.PaidMembershipTypes.PaidMembership;
import org.coalition.gateway.membership.PaidMembershipTypes.PaidMembershipConnection;
import org.coalition.gateway.membership.PaidMembershipTypes.PaidMembershipEdge;
import org.coalition.gateway.membership.PaidMembershipTypes.PaidMembershipPayload;
import org.coalition.gateway.membership.PaidMembershipTypes.PaidMembershipStatus;
import org.coalition.gateway.membership.PaidMembershipTypes.RenewPaidMembershipInput;
import org.coalition.gateway.membership.PaidMembershipTypes.StartPaidMembershipInput;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.operations.Tracing;
import org.coalition.gateway.partner.PartnerDirectory;
import org.coalition.gateway.settlement.SettlementRecorder;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.PageRequest;
import org.coalition.gateway.shared.UserError;
import org.coalition.gateway.shared.UserErrors;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * Paid club memberships: a partner sells one (the fee recorded for settlement in the same transaction), renews it
 * (the fee again, the term extended from the current end), and the member or the seller cancels it (a full refund
 * in cooling-off, else it runs to its end). Benefits are read by the earn path through {@code member_club_multiplier}.
 */
@ApplicationScoped
public class PaidMembershipService {

    static final int MAX_PAYMENT_REFERENCE_LENGTH = 128;
    static final int MAX_MEMBERSHIPS_LISTED = 100;
    private static final String ONE_ACTIVE_INDEX = "paid_memberships_one_active";

    private static final String LAPSE = "select paid_memberships_lapse($1, $2)";
    private static final String INSERT = """
            insert into paid_memberships (id, member_id, club_id, partner_id, status, earn_multiplier, fee_amount, currency, term,
                                          cooling_off_days, starts_at, ends_at)
            values ($1, $2, $3, $4, 'ACTIVE', $5, $6, $7, $8, $9, $10, $11)
            """;
    private static final String CHARGE = """
            insert into paid_membership_charges (id, membership_id, member_id, partner_id, kind, payment_reference, fee_amount,
                                                 operator_share, currency, term_starts_at, term_ends_at)
            values (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """;
    private static final String ONE = "select " + PaidMembership.COLUMNS + " from paid_memberships m where m.id = $1";
    /** The membership, locked, if the caller is its member or its seller (row-level security says the same). */
    private static final String LOCK_OWN = "select " + PaidMembership.COLUMNS + """
             from paid_memberships m
            where m.id = $1 and (m.partner_id = $2 or ($2 is null and m.member_id = coalition_member()))
            for update""";
    private static final String OPERATOR_SHARE_PAID = """
            select coalesce(sum(operator_share), 0) as share from paid_membership_charges where membership_id = $1
            """;
    private static final String REFUND = """
            update paid_memberships set status = 'CANCELLED', cancelled_at = $2, ends_at = $2 where id = $1
            """;
    private static final String CANCEL_AT_END = "update paid_memberships set cancelled_at = $2 where id = $1";
    private static final String EXTEND = "update paid_memberships set ends_at = $2 where id = $1";
    private static final String MINE = "select " + PaidMembership.COLUMNS
            + " from paid_memberships m where m.member_id = coalition_member() order by m.created_at desc, m.id limit "
            + MAX_MEMBERSHIPS_LISTED;
    private static final String SOLD = "select " + PaidMembership.COLUMNS + """
             from paid_memberships m
            where m.partner_id = $1 and ($2::timestamptz is null or (m.created_at, m.id) > ($2, $3))
            order by m.created_at, m.id limit $4""";

    private final TenantSessions sessions;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;
    private final PartnerDirectory partners;
    private final MemberRepository members;
    private final ClubCatalog clubs;
    private final SettlementRecorder settlement;

    public PaidMembershipService(TenantSessions sessions, IdempotentTransactions idempotent, RequestFingerprints fingerprints,
            PartnerDirectory partners, MemberRepository members, ClubCatalog clubs, SettlementRecorder settlement) {
        this.sessions = sessions;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
        this.partners = partners;
        this.members = members;
        this.clubs = clubs;
        this.settlement = settlement;
    }

    @WithSpan
    public Uni<PaidMembershipPayload> start(Caller seller, StartPaidMembershipInput input) {
        Tracing.tag(seller, "startPaidMembership");
        try {
            partners.requireActive(seller.partnerId());
            Club club = validateStart(seller, input);
            MemberKey member = MemberKey.from(input.member, "input", "member");
            return answer(idempotent.execute(seller, fingerprints.of(seller, "startPaidMembership", input.idempotencyKey, input),
                    (connection, id) -> start(connection, seller, club, member, input.paymentReference.strip(), id),
                    this::load));
        } catch (BusinessFailure failure) {
            return Uni.createFrom().item(PaidMembershipPayload.failed(failure.errors()));
        }
    }

    @WithSpan
    public Uni<PaidMembershipPayload> renew(Caller seller, RenewPaidMembershipInput input) {
        Tracing.tag(seller, "renewPaidMembership");
        try {
            partners.requireActive(seller.partnerId());
            List<UserError> errors = new ArrayList<>();
            IdempotencyKeyRule.check(input.idempotencyKey).ifPresent(errors::add);
            paymentReferenceProblem(input.paymentReference).ifPresent(errors::add);
            if (!errors.isEmpty()) {
                throw new BusinessFailure(errors);
            }
            UUID id = membershipId(input.membershipId);
            return answer(idempotent.execute(seller, fingerprints.of(seller, "renewPaidMembership", input.idempotencyKey, input),
                    (connection, ignored) -> renew(connection, seller, id, input.paymentReference.strip()),
                    (connection, ignored) -> load(connection, id)));
        } catch (BusinessFailure failure) {
            return Uni.createFrom().item(PaidMembershipPayload.failed(failure.errors()));
        }
    }

    /** By the member (their own membership) or by the selling partner. */
    @WithSpan
    public Uni<PaidMembershipPayload> cancel(Caller caller, CancelPaidMembershipInput input) {
        Tracing.tag(caller, "cancelPaidMembership");
        try {
            if (caller.isPartner()) {
                partners.requireActive(caller.partnerId());
            }
            IdempotencyKeyRule.require(input.idempotencyKey);
            UUID id = membershipId(input.membershipId);
            return answer(idempotent.execute(caller, fingerprints.of(caller, "cancelPaidMembership", input.idempotencyKey, input),
                    (connection, ignored) -> cancel(connection, caller, id),
                    (connection, ignored) -> load(connection, id)));
        } catch (BusinessFailure failure) {
            return Uni.createFrom().item(PaidMembershipPayload.failed(failure.errors()));
        }
    }

    public Uni<List<PaidMembership>> mine(Caller member) {
        return sessions.inTransaction(member, connection -> connection.query(MINE).execute()
                .map(rows -> rows.stream().map(row -> PaidMembership.from(row, clubs)).toList()));
    }

    public Uni<PaidMembershipConnection> sold(Caller seller, PageRequest page) {
        return sessions.inTransaction(seller, connection -> connection.preparedQuery(SOLD)
                .execute(Tuple.of(seller.partnerId(), page.afterTime() == null ? null : page.afterTime().atOffset(ZoneOffset.UTC),
                        page.afterId(), page.fetchSize()))
                .map(rows -> {
                    List<PaidMembership> fetched = new ArrayList<>();
                    rows.forEach(row -> fetched.add(PaidMembership.from(row, clubs)));
                    PageRequest.Page<PaidMembershipEdge> paged = page.page(fetched,
                            m -> new PaidMembershipEdge(PageRequest.cursor(m.createdAt(), UUID.fromString(m.id())), m),
                            PaidMembershipEdge::cursor);
                    return new PaidMembershipConnection(paged.edges(), paged.pageInfo());
                }));
    }

    private Club validateStart(Caller seller, StartPaidMembershipInput input) {
        List<UserError> errors = new ArrayList<>();
        IdempotencyKeyRule.check(input.idempotencyKey).ifPresent(errors::add);
        paymentReferenceProblem(input.paymentReference).ifPresent(errors::add);
        errors.addAll(MemberKey.validate(input.member, "input", "member"));
        if (!errors.isEmpty()) {
            throw new BusinessFailure(errors);
        }
        Club club = clubs.byId(input.clubId).orElseThrow(() -> BusinessFailure.of(ErrorCode.CLUB_NOT_FOUND,
                "No club has this id", "input", "clubId"));
        if (!club.soldBy(seller.partnerId())) {
            throw BusinessFailure.of(ErrorCode.CLUB_NOT_SOLD_HERE, club.name() + " is not sold by this partner", "input", "clubId");
        }
        return club;
    }

    private static java.util.Optional<UserError> paymentReferenceProblem(String reference) {
        if (reference == null || reference.isBlank() || reference.length() > MAX_PAYMENT_REFERENCE_LENGTH) {
            return java.util.Optional.of(UserError.invalid(
                    "paymentReference must be 1 to " + MAX_PAYMENT_REFERENCE_LENGTH + " characters", "input", "paymentReference"));
        }
        return java.util.Optional.empty();
    }

    private Uni<PaidMembership> start(SqlConnection connection, Caller seller, Club club, MemberKey key, String paymentReference,
            UUID id) {
        Instant now = now();
        Instant endsAt = club.termEnd(now);
        return members.find(connection, key)
                .map(found -> found.orElseThrow(() -> BusinessFailure.of(ErrorCode.MEMBER_NOT_FOUND, "No member has this reference",
                        "input", "member")))
                .call(member -> connection.preparedQuery(LAPSE).execute(Tuple.of(member.id(), club.id())))
                .call(member -> connection.preparedQuery(INSERT).execute(Tuple.tuple().addUUID(id).addUUID(member.id())
                                .addString(club.id()).addString(seller.partnerId()).addBigDecimal(club.earnMultiplier())
                                .addBigDecimal(club.feeAmount()).addString(club.currency()).addString(club.term().toString())
                                .addInteger(club.coolingOffDays()).addOffsetDateTime(utc(now)).addOffsetDateTime(utc(endsAt)))
                        .onFailure(PaidMembershipService::alreadyActive)
                        .transform(failure -> BusinessFailure.of(ErrorCode.CLUB_MEMBERSHIP_ACTIVE,
                                "The member already has an active " + club.name() + " membership", "input", "member")))
                .call(member -> charge(connection, id, member.id(), seller.partnerId(), "START", paymentReference, club, now, endsAt))
                .invoke(member -> Log.debugf("Paid membership %s of club %s sold by %s", id, club.id(), seller.partnerId()))
                .flatMap(member -> load(connection, id));
    }

    private Uni<PaidMembership> renew(SqlConnection connection, Caller seller, UUID id, String paymentReference) {
        return lockOwn(connection, seller, id).flatMap(current -> {
            if (current.status() != PaidMembershipStatus.ACTIVE || current.cancelledAt() != null) {
                throw BusinessFailure.of(ErrorCode.PAID_MEMBERSHIP_ENDED,
                        "Only an active membership that is not cancelled can be renewed; start a new one", "input", "membershipId");
            }
            Club club = clubs.byId(current.clubId()).orElseThrow(() -> BusinessFailure.of(ErrorCode.CLUB_NOT_FOUND,
                    "The club " + current.clubId() + " is no longer offered", "input", "membershipId"));
            if (!club.soldBy(seller.partnerId())) {
                throw BusinessFailure.of(ErrorCode.CLUB_NOT_SOLD_HERE, club.name() + " is not sold by this partner any more",
                        "input", "membershipId");
            }
            Instant from = current.endsAt();
            Instant to = club.termEnd(from);
            UUID memberId = UUID.fromString(current.memberId());
            return connection.preparedQuery(EXTEND).execute(Tuple.of(id, utc(to)))
                    .call(ignored -> charge(connection, id, memberId, seller.partnerId(), "RENEWAL", paymentReference, club, from, to))
                    .flatMap(ignored -> load(connection, id));
        });
    }

    private Uni<PaidMembership> cancel(SqlConnection connection, Caller caller, UUID id) {
        return lockOwn(connection, caller, id).flatMap(current -> {
            if (current.status() != PaidMembershipStatus.ACTIVE || current.cancelledAt() != null) {
                throw BusinessFailure.of(ErrorCode.PAID_MEMBERSHIP_ENDED, "This membership has ended or is already cancelled",
                        "input", "membershipId");
            }
            Instant now = now();
            if (!now.isBefore(current.coolingOffEndsAt())) {
                return connection.preparedQuery(CANCEL_AT_END).execute(Tuple.of(id, utc(now))).flatMap(ignored -> load(connection, id));
            }
            UUID memberId = UUID.fromString(current.memberId());
            return connection.preparedQuery(OPERATOR_SHARE_PAID).execute(Tuple.of(id))
                    .map(rows -> rows.iterator().next().getBigDecimal("share"))
                    .call(share -> connection.preparedQuery(REFUND).execute(Tuple.of(id, utc(now))))
                    .call(share -> settlement.writeForMembership(connection, id, memberId,
                            settlement.membershipRefund(current.sellingPartnerId(), share, current.currency())))
                    .flatMap(ignored -> load(connection, id));
        });
    }

    private Uni<Void> charge(SqlConnection connection, UUID membershipId, UUID memberId, String sellerId, String kind,
            String paymentReference, Club club, Instant from, Instant to) {
        BigDecimal share = club.operatorShare();
        return connection.preparedQuery(CHARGE).execute(Tuple.tuple().addUUID(membershipId).addUUID(memberId).addString(sellerId)
                        .addString(kind).addString(paymentReference).addBigDecimal(club.feeAmount()).addBigDecimal(share)
                        .addString(club.currency()).addOffsetDateTime(utc(from)).addOffsetDateTime(utc(to)))
                .call(ignored -> settlement.writeForMembership(connection, membershipId, memberId,
                        settlement.membershipFee(sellerId, share, club.currency())))
                .replaceWithVoid();
    }

    private Uni<PaidMembership> lockOwn(SqlConnection connection, Caller caller, UUID id) {
        return connection.preparedQuery(LOCK_OWN).execute(Tuple.of(id, caller.isPartner() ? caller.partnerId() : null))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw notFound();
                    }
                    return PaidMembership.from(rows.iterator().next(), clubs);
                });
    }

    private Uni<PaidMembership> load(SqlConnection connection, UUID id) {
        return connection.preparedQuery(ONE).execute(Tuple.of(id)).map(rows -> {
            if (rows.rowCount() == 0) {
                throw notFound();
            }
            Row row = rows.iterator().next();
            return PaidMembership.from(row, clubs);
        });
    }

    private static Uni<PaidMembershipPayload> answer(Uni<PaidMembership> work) {
        return work.map(PaidMembershipPayload::of)
                .onFailure(UserErrors::answerable).recoverWithItem(failure -> PaidMembershipPayload.failed(UserErrors.of(failure)));
    }

    private static boolean alreadyActive(Throwable failure) {
        return failure instanceof PgException pg && "23505".equals(pg.getSqlState()) && pg.getErrorMessage() != null
                && pg.getErrorMessage().contains(ONE_ACTIVE_INDEX);
    }

    private static UUID membershipId(String id) {
        try {
            UUID parsed = UUID.fromString(id);
            if (parsed.toString().equalsIgnoreCase(id)) {
                return parsed;
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw notFound();
    }

    private static BusinessFailure notFound() {
        return BusinessFailure.of(ErrorCode.PAID_MEMBERSHIP_NOT_FOUND, "No paid membership of yours has this id", "input",
                "membershipId");
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    private static java.time.OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
