package org.coalition.gateway.redemption;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.ledger.LedgerEvents;
import org.coalition.gateway.ledger.PostingTemplate;
import org.coalition.gateway.member.MemberKey;
import org.coalition.gateway.member.MemberRepository;
import org.coalition.gateway.member.PostedTransactions;
import org.coalition.gateway.member.MemberRepository.MemberAccount;
import org.coalition.gateway.operations.Tracing;
import org.coalition.gateway.partner.PartnerContract;
import org.coalition.gateway.partner.PartnerDirectory;
import org.coalition.gateway.redemption.HoldInputs.AuthorizeRedemptionInput;
import org.coalition.gateway.redemption.HoldInputs.CaptureRedemptionInput;
import org.coalition.gateway.redemption.HoldInputs.RedemptionHoldPayload;
import org.coalition.gateway.redemption.HoldInputs.VoidRedemptionInput;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.UserError;
import org.coalition.gateway.shared.UserErrors;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;
import org.coalition.gateway.webhook.PartnerEventType;
import org.coalition.gateway.webhook.PartnerEvents;

/**
 * Two-phase redemption: a web shop reserves points at checkout and captures them when the order ships.
 * A hold resolves exactly once: capture, void and expiry each flip it out of ACTIVE with one
 * conditional UPDATE, and only the statement that flips it moves the member's points.
 */
@ApplicationScoped
public class HoldService {

    private static final String INSERT_HOLD = """
            insert into redemption_holds (id, member_id, partner_id, points, status, partner_reference, expires_at)
            values ($1, $2, $3, $4, 'ACTIVE', $5, $6)
            returning\s""" + RedemptionHold.COLUMNS;
    private static final String CAPTURE = """
            update redemption_holds set status = 'CAPTURED', resolved_at = now(), captured_points = coalesce($3, points)
            where id = $1 and partner_id = $2 and status = 'ACTIVE' and expires_at > now() and coalesce($3, points) <= points
            returning captured_points,\s""" + RedemptionHold.COLUMNS;
    private static final String VOID = """
            update redemption_holds set status = 'VOIDED', resolved_at = now()
            where id = $1 and partner_id = $2 and status = 'ACTIVE' and expires_at > now()
            returning\s""" + RedemptionHold.COLUMNS;
    private static final String VOID_ALL_OF_MEMBER = """
            update redemption_holds set status = 'VOIDED', resolved_at = now()
            where member_id = $1 and status = 'ACTIVE'
            returning\s""" + RedemptionHold.COLUMNS;
    private static final String FIND = "select " + RedemptionHold.COLUMNS + " from redemption_holds where id = $1";
    private static final String EXPIRE_DUE = """
            with due as (
                select id from redemption_holds where status = 'ACTIVE' and expires_at <= now()
                order by expires_at limit $1 for update skip locked
            ), expired as (
                update redemption_holds h set status = 'EXPIRED', resolved_at = now()
                from due where h.id = due.id and h.status = 'ACTIVE'
                returning h.id, h.member_id, h.partner_id, h.points, h.partner_reference, h.expires_at
            ), released as (
                update members m set held = m.held - x.points
                from (select member_id, sum(points) as points from expired group by member_id) x
                where m.id = x.member_id
                returning m.id
            ), notified as (
                insert into ledger_events (member_id) select id from released
            )
            select * from expired order by expires_at, id
            """;

    private final PartnerDirectory partners;
    private final MemberRepository members;
    private final PointSpending spending;
    private final PostedTransactions posted;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;
    private final TenantSessions sessions;
    private final LedgerEvents events;
    private final PartnerEvents partnerEvents;
    private final CoalitionConfig config;

    public HoldService(PartnerDirectory partners, MemberRepository members, PointSpending spending,
            PostedTransactions posted, IdempotentTransactions idempotent, RequestFingerprints fingerprints,
            TenantSessions sessions, LedgerEvents events, PartnerEvents partnerEvents, CoalitionConfig config) {
        this.events = events;
        this.partnerEvents = partnerEvents;
        this.partners = partners;
        this.members = members;
        this.spending = spending;
        this.posted = posted;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
        this.sessions = sessions;
        this.config = config;
    }

    // ------------------------------------------------------------------ authorize

    @WithSpan
    public Uni<RedemptionHoldPayload> authorize(Caller caller, AuthorizeRedemptionInput input) {
        Tracing.tag(caller, "authorizeRedemption");
        try {
            PartnerContract contract = redeemingPartner(caller);
            MemberKey member = validateAuthorize(contract, input);
            Duration ttl = input.expiresInSeconds == null ? config.holds().defaultTtl() : Duration.ofSeconds(input.expiresInSeconds);
            Instant expiresAt = Instant.now().plus(ttl).truncatedTo(ChronoUnit.MICROS);
            return idempotent.execute(caller, fingerprints.of(caller, "authorizeRedemption", input.idempotencyKey, input),
                            (connection, holdId) -> members.reserve(connection, member, input.points)
                                    .flatMap(reserved -> connection.preparedQuery(INSERT_HOLD)
                                            .execute(Tuple.of(holdId, reserved.id(), contract.id(), input.points,
                                                    input.partnerReference, expiresAt.atOffset(ZoneOffset.UTC)))
                                            .flatMap(rows -> events.balanceChanged(connection, reserved.id())
                                                    .map(ignored -> RedemptionHoldPayload.of(
                                                            RedemptionHold.from(rows.iterator().next()), reserved.view())))),
                            this::replayHold)
                    .onFailure(UserErrors::answerable)
                    .recoverWithItem(failure -> RedemptionHoldPayload.failed(UserErrors.of(failure)));
        } catch (BusinessFailure failure) {
            return Uni.createFrom().item(RedemptionHoldPayload.failed(failure.errors()));
        }
    }

    private MemberKey validateAuthorize(PartnerContract contract, AuthorizeRedemptionInput input) {
        PartnerContract.RedemptionRules rules = contract.versionAt(Instant.now()).orElseThrow().redemption();
        List<UserError> errors = RedeemService.spendErrors(rules, input.idempotencyKey, input.member, input.points,
                input.partnerReference);
        long maxSeconds = config.holds().maxTtl().toSeconds();
        if (input.expiresInSeconds != null && (input.expiresInSeconds < 1 || input.expiresInSeconds > maxSeconds)) {
            errors.add(UserError.of(ErrorCode.LIMIT_EXCEEDED, "expiresInSeconds must be between 1 and " + maxSeconds,
                    "input", "expiresInSeconds"));
        }
        if (!errors.isEmpty()) {
            throw new BusinessFailure(errors);
        }
        return MemberKey.from(input.member, "input", "member");
    }

    // ------------------------------------------------------------------ capture

    @WithSpan
    public Uni<RedeemPointsPayload> capture(Caller caller, CaptureRedemptionInput input) {
        Tracing.tag(caller, "captureRedemption");
        try {
            PartnerContract contract = redeemingPartner(caller);
            UUID holdId = validateResolve(input.idempotencyKey, input.holdId);
            if (input.points != null && input.points <= 0) {
                throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "points must be greater than zero", "input", "points");
            }
            return idempotent.execute(caller, fingerprints.of(caller, "captureRedemption", input.idempotencyKey, input),
                            (connection, entryId) -> capture(connection, contract, holdId, input.points, entryId),
                            this::replayCapture)
                    .onFailure(UserErrors::answerable)
                    .recoverWithItem(failure -> RedeemPointsPayload.failed(UserErrors.of(failure)));
        } catch (BusinessFailure failure) {
            return Uni.createFrom().item(RedeemPointsPayload.failed(failure.errors()));
        }
    }

    private Uni<RedeemPointsPayload> capture(SqlConnection connection, PartnerContract contract, UUID holdId, Integer points,
            UUID entryId) {
        return connection.preparedQuery(CAPTURE).execute(Tuple.of(holdId, contract.id(), points))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return explainUnresolvable(connection, holdId, points).map(ignored -> (RedeemPointsPayload) null);
                    }
                    RedemptionHold hold = RedemptionHold.from(rows.iterator().next());
                    int captured = rows.iterator().next().getInteger("captured_points");
                    PointSpending.Spend spend = new PointSpending.Spend(entryId, PostingTemplate.REDEMPTION, contract.id(),
                            captured, null, null, Instant.now().truncatedTo(ChronoUnit.MICROS),
                            contract.versionAt(Instant.now()).map(PartnerContract.Version::number).orElse(null));
                    return members.settleHold(connection, hold.memberId(), hold.points(), captured)
                            .flatMap(member -> spending.post(connection, spend, member)
                                    .flatMap(transaction -> connection
                                            .preparedQuery("update redemption_holds set transaction_id = $2 where id = $1")
                                            .execute(Tuple.of(holdId, entryId))
                                            .map(ignored -> RedeemPointsPayload.posted(transaction, member.view()))));
                });
    }

    // ------------------------------------------------------------------ void

    @WithSpan
    public Uni<RedemptionHoldPayload> voidHold(Caller caller, VoidRedemptionInput input) {
        Tracing.tag(caller, "voidRedemption");
        try {
            PartnerContract contract = partners.requireActive(caller.partnerId());
            UUID holdId = validateResolve(input.idempotencyKey, input.holdId);
            return idempotent.execute(caller, fingerprints.of(caller, "voidRedemption", input.idempotencyKey, input),
                            (connection, ignored) -> connection.preparedQuery(VOID).execute(Tuple.of(holdId, contract.id()))
                                    .flatMap(rows -> {
                                        if (rows.size() == 0) {
                                            return explainUnresolvable(connection, holdId, null)
                                                    .map(unreachable -> (RedemptionHoldPayload) null);
                                        }
                                        RedemptionHold hold = RedemptionHold.from(rows.iterator().next());
                                        return members.settleHold(connection, hold.memberId(), hold.points(), 0)
                                                .flatMap(member -> events.balanceChanged(connection, member.id())
                                                        .map(notified -> RedemptionHoldPayload.of(hold, member.view())));
                                    }),
                            (connection, ignored) -> replayHold(connection, holdId))
                    .onFailure(UserErrors::answerable)
                    .recoverWithItem(failure -> RedemptionHoldPayload.failed(UserErrors.of(failure)));
        } catch (BusinessFailure failure) {
            return Uni.createFrom().item(RedemptionHoldPayload.failed(failure.errors()));
        }
    }

    /**
     * Voids every active hold of a member, whichever partner placed it (an erasure): the same status flip as
     * {@code voidRedemption}, and the held points released in one balance change. Returns the holds voided.
     */
    public Uni<Integer> voidAllOf(SqlConnection connection, UUID memberId) {
        return connection.preparedQuery(VOID_ALL_OF_MEMBER).execute(Tuple.of(memberId)).flatMap(rows -> {
            long held = 0;
            for (Row row : rows) {
                held += RedemptionHold.from(row).points();
            }
            return rows.size() == 0 ? Uni.createFrom().item(0)
                    : members.settleHold(connection, memberId, held, 0)
                            .flatMap(member -> events.balanceChanged(connection, memberId))
                            .replaceWith(rows.size());
        });
    }

    // ------------------------------------------------------------------ expiry and reads

    /**
     * Releases holds past their expiry and tells each hold's partner (HoldExpired) in the same transaction;
     * returns how many. Safe on several replicas at once (skip locked).
     */
    public Uni<Long> releaseExpired() {
        return sessions.asSystem(connection -> connection.preparedQuery(EXPIRE_DUE)
                .execute(Tuple.of(config.holds().expiryBatchSize()))
                .flatMap(expired -> announceExpired(connection, expired)));
    }

    private Uni<Long> announceExpired(SqlConnection connection, RowSet<Row> expired) {
        return Multi.createFrom().iterable(expired)
                .onItem().transformToUniAndConcatenate(hold -> partnerEvents.publish(connection, hold.getString("partner_id"),
                        PartnerEventType.HOLD_EXPIRED, hold.getUUID("member_id"), null, holdExpired(hold)))
                .collect().last()
                .replaceWith((long) expired.size());
    }

    private static JsonObject holdExpired(Row hold) {
        JsonObject data = new JsonObject()
                .put("holdId", hold.getUUID("id").toString())
                .put("memberId", hold.getUUID("member_id").toString())
                .put("partnerId", hold.getString("partner_id"))
                .put("points", hold.getInteger("points"))
                .put("expiredAt", hold.getOffsetDateTime("expires_at").toInstant().toString());
        String reference = hold.getString("partner_reference");
        return reference == null ? data : data.put("partnerReference", reference);
    }

    public Uni<Optional<RedemptionHold>> find(Caller caller, UUID holdId) {
        return sessions.inTransaction(caller, connection -> find(connection, holdId));
    }

    private Uni<Optional<RedemptionHold>> find(SqlConnection connection, UUID holdId) {
        return connection.preparedQuery(FIND).execute(Tuple.of(holdId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(RedemptionHold.from(rows.iterator().next())));
    }

    /** Why a hold could not be resolved: it is not the caller's, it expired, it was resolved, or too much was asked. */
    private Uni<Void> explainUnresolvable(SqlConnection connection, UUID holdId, Integer points) {
        return find(connection, holdId).map(found -> {
            RedemptionHold hold = found.orElseThrow(HoldService::notFound);
            if (hold.status() == HoldStatus.EXPIRED
                    || (hold.status() == HoldStatus.ACTIVE && !hold.expiresAt().isAfter(Instant.now()))) {
                throw BusinessFailure.of(ErrorCode.HOLD_EXPIRED, "The hold expired at " + hold.expiresAt(), "input", "holdId");
            }
            if (hold.status() != HoldStatus.ACTIVE) {
                throw BusinessFailure.of(ErrorCode.HOLD_ALREADY_RESOLVED, "The hold was already " + hold.status(), "input", "holdId");
            }
            throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "The hold has " + hold.points() + " points, " + points + " asked",
                    "input", "points");
        });
    }

    private PartnerContract redeemingPartner(Caller caller) {
        PartnerContract contract = partners.requireActive(caller.partnerId());
        RedeemService.redeemingVersion(contract, Instant.now());
        return contract;
    }

    private static UUID validateResolve(String idempotencyKey, String holdId) {
        IdempotencyKeyRule.require(idempotencyKey);
        try {
            return UUID.fromString(holdId);
        } catch (IllegalArgumentException e) {
            throw notFound();
        }
    }

    private static BusinessFailure notFound() {
        return BusinessFailure.of(ErrorCode.HOLD_NOT_FOUND, "No hold of this partner has this id", "input", "holdId");
    }

    private Uni<RedemptionHoldPayload> replayHold(SqlConnection connection, UUID holdId) {
        return find(connection, holdId).flatMap(found -> {
            RedemptionHold hold = found.orElseThrow(() -> new IllegalStateException("idempotency key names missing hold " + holdId));
            return members.find(connection, new MemberKey.ById(hold.memberId()))
                    .map(member -> RedemptionHoldPayload.of(hold, member.map(MemberAccount::view).orElse(null)));
        });
    }

    private Uni<RedeemPointsPayload> replayCapture(SqlConnection connection, UUID entryId) {
        return posted.load(connection, entryId).map(replayed -> RedeemPointsPayload.posted(replayed.transaction(), replayed.member()));
    }
}
