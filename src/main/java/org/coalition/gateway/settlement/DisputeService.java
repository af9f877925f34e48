package org.coalition.gateway.settlement;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;

import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.operations.Tracing;
import org.coalition.gateway.settlement.DisputeTypes.Dispute;
import org.coalition.gateway.settlement.DisputeTypes.DisputePayload;
import org.coalition.gateway.settlement.DisputeTypes.DisputeSettlementRecordInput;
import org.coalition.gateway.settlement.DisputeTypes.ResolveDisputeInput;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.UserErrors;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * A partner contests a settlement record it is party to; the settlement team accepts (with the corrected
 * amount) or rejects. An accepted dispute never edits a record or a closed period: it adds an
 * ADJUSTMENT record for the difference, which the next close sweeps into the next open period.
 */
@ApplicationScoped
public class DisputeService {

    static final int MAX_TEXT_LENGTH = 1000;
    private static final String RECORD = "select id, debtor_id, creditor_id, points, amount, currency from settlement_records where id = $1";
    private static final String RAISE = """
            insert into disputes (id, record_id, raised_by, reason, status) values ($1, $2, $3, $4, 'OPEN')
            returning\s""" + Dispute.COLUMNS;
    private static final String LOCK = "select " + Dispute.COLUMNS + " from disputes where id = $1 for update";
    private static final String ADJUST = """
            insert into settlement_records (id, kind, debtor_id, creditor_id, points, amount, currency)
            values ($1, 'ADJUSTMENT', $2, $3, $4, $5, $6)
            """;
    private static final String RESOLVE = """
            update disputes set status = $2, adjustment_record_id = $3, note = $4, resolved_at = now() where id = $1
            returning\s""" + Dispute.COLUMNS;
    private static final String FIND = "select " + Dispute.COLUMNS + " from disputes where id = $1";

    private final TenantSessions sessions;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;
    private final SettlementEvents events;

    public DisputeService(TenantSessions sessions, IdempotentTransactions idempotent, RequestFingerprints fingerprints,
            SettlementEvents events) {
        this.sessions = sessions;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
        this.events = events;
    }

    @WithSpan
    public Uni<DisputePayload> raise(Caller partner, DisputeSettlementRecordInput input) {
        Tracing.tag(partner, "disputeSettlementRecord");
        UUID recordId;
        try {
            IdempotencyKeyRule.require(input.idempotencyKey);
            checkText(input.reason, "reason");
            recordId = uuid(input.recordId, ErrorCode.RECORD_NOT_FOUND, "recordId");
        } catch (BusinessFailure failure) {
            return Uni.createFrom().item(DisputePayload.failed(failure.errors()));
        }
        return idempotent.execute(partner, fingerprints.of(partner, "disputeSettlementRecord", input.idempotencyKey, input),
                        (connection, disputeId) -> connection.preparedQuery(RECORD).execute(Tuple.of(recordId))
                                .flatMap(record -> {
                                    if (record.size() == 0) {
                                        throw BusinessFailure.of(ErrorCode.RECORD_NOT_FOUND, "No settlement record of this partner has this id",
                                                "input", "recordId");
                                    }
                                    return raise(connection, disputeId, record.iterator().next(), partner.partnerId(), input.reason.strip());
                                }),
                        this::existing)
                .onFailure(UserErrors::answerable)
                .recoverWithItem(failure -> DisputePayload.failed(UserErrors.of(failure)));
    }

    private Uni<DisputePayload> raise(SqlConnection connection, UUID disputeId, Row record, String partnerId, String reason) {
        return connection.preparedQuery(RAISE).execute(Tuple.of(disputeId, record.getUUID("id"), partnerId, reason))
                .onFailure(DisputeService::isAlreadyDisputed)
                .transform(e -> BusinessFailure.of(ErrorCode.INVALID_INPUT, "This record already has an open dispute", "input", "recordId"))
                .map(rows -> Dispute.from(rows.iterator().next()))
                .call(dispute -> events.disputeOpened(connection, dispute, record))
                .map(DisputePayload::of);
    }

    @WithSpan
    public Uni<DisputePayload> resolve(Caller settlementTeam, ResolveDisputeInput input) {
        Tracing.tag(settlementTeam, "resolveDispute");
        UUID disputeId;
        try {
            IdempotencyKeyRule.require(input.idempotencyKey);
            if (input.note != null) {
                checkText(input.note, "note");
            }
            if (input.accept && (input.adjustedAmount == null || input.adjustedAmount.signum() < 0)) {
                throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "An accepted dispute needs the corrected amount (zero or more)",
                        "input", "adjustedAmount");
            }
            disputeId = uuid(input.disputeId, ErrorCode.RECORD_NOT_FOUND, "disputeId");
        } catch (BusinessFailure failure) {
            return Uni.createFrom().item(DisputePayload.failed(failure.errors()));
        }
        return idempotent.execute(settlementTeam, fingerprints.of(settlementTeam, "resolveDispute", input.idempotencyKey, input),
                        (connection, adjustmentId) -> resolve(connection, disputeId, input, adjustmentId),
                        (connection, ignored) -> existing(connection, disputeId))
                .onFailure(UserErrors::answerable)
                .recoverWithItem(failure -> DisputePayload.failed(UserErrors.of(failure)));
    }

    private Uni<DisputePayload> resolve(SqlConnection connection, UUID disputeId, ResolveDisputeInput input, UUID adjustmentId) {
        return connection.preparedQuery(LOCK).execute(Tuple.of(disputeId)).flatMap(rows -> {
            if (rows.size() == 0) {
                throw BusinessFailure.of(ErrorCode.RECORD_NOT_FOUND, "No dispute has this id", "input", "disputeId");
            }
            Dispute dispute = Dispute.from(rows.iterator().next());
            if (dispute.status() != DisputeTypes.DisputeStatus.OPEN) {
                throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "The dispute was already " + dispute.status(), "input", "disputeId");
            }
            return connection.preparedQuery(RECORD).execute(Tuple.of(dispute.recordId()))
                    .flatMap(records -> resolve(connection, dispute, records.iterator().next(), input, adjustmentId));
        });
    }

    private Uni<DisputePayload> resolve(SqlConnection connection, Dispute dispute, Row record, ResolveDisputeInput input,
            UUID adjustmentId) {
        Uni<UUID> adjustment = input.accept
                ? adjust(connection, record, input.adjustedAmount, adjustmentId)
                : Uni.createFrom().nullItem();
        return adjustment.flatMap(adjustmentRecord -> connection.preparedQuery(RESOLVE)
                        .execute(Tuple.of(UUID.fromString(dispute.id()), input.accept ? "ACCEPTED" : "REJECTED", adjustmentRecord,
                                input.note)))
                .map(resolved -> Dispute.from(resolved.iterator().next()))
                .call(resolved -> events.disputeResolved(connection, resolved, record, input.note))
                .map(DisputePayload::of);
    }

    /** Adds the difference between the corrected and the recorded amount; nothing when they are equal. */
    private Uni<UUID> adjust(SqlConnection connection, Row record, BigDecimal corrected, UUID adjustmentId) {
        BigDecimal difference = corrected.setScale(SettlementRecorder.AMOUNT_SCALE, java.math.RoundingMode.HALF_EVEN)
                .subtract(record.getBigDecimal("amount"));
        if (difference.signum() == 0) {
            return Uni.createFrom().nullItem();
        }
        boolean owesMore = difference.signum() > 0;
        return connection.preparedQuery(ADJUST).execute(Tuple.of(adjustmentId,
                        owesMore ? record.getString("debtor_id") : record.getString("creditor_id"),
                        owesMore ? record.getString("creditor_id") : record.getString("debtor_id"),
                        record.getInteger("points"), difference.abs(), record.getString("currency").strip()))
                .replaceWith(adjustmentId);
    }

    /** Disputes still waiting for the settlement team, oldest first (partners see only their own: row-level security). */
    public Uni<List<Dispute>> open(Caller caller, int limit) {
        return sessions.inTransaction(caller, connection -> connection.preparedQuery("select " + Dispute.COLUMNS
                        + " from disputes where status = 'OPEN' order by created_at, id limit $1").execute(Tuple.of(limit)))
                .map(rows -> {
                    List<Dispute> open = new java.util.ArrayList<>();
                    rows.forEach(row -> open.add(Dispute.from(row)));
                    return open;
                });
    }

    public Uni<java.util.Optional<Dispute>> find(Caller caller, UUID disputeId) {
        return sessions.inTransaction(caller, connection -> connection.preparedQuery(FIND).execute(Tuple.of(disputeId)))
                .map(rows -> rows.size() == 0 ? java.util.Optional.empty() : java.util.Optional.of(Dispute.from(rows.iterator().next())));
    }

    private Uni<DisputePayload> existing(SqlConnection connection, UUID disputeId) {
        return connection.preparedQuery(FIND).execute(Tuple.of(disputeId))
                .map(rows -> DisputePayload.of(Dispute.from(rows.iterator().next())));
    }

    private static boolean isAlreadyDisputed(Throwable failure) {
        return failure instanceof PgException pg && "23505".equals(pg.getSqlState());
    }

    private static void checkText(String text, String field) {
        if (text.isBlank() || text.length() > MAX_TEXT_LENGTH) {
            throw BusinessFailure.of(ErrorCode.INVALID_INPUT, field + " must be 1 to " + MAX_TEXT_LENGTH + " characters", "input", field);
        }
    }

    private static UUID uuid(String id, ErrorCode notFound, String field) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw BusinessFailure.of(notFound, "No " + field.replace("Id", "") + " has this id", "input", field);
        }
    }
}
