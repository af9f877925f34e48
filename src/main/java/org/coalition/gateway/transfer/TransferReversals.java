package org.coalition.gateway.transfer;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.ledger.AccountBook;
import org.coalition.gateway.ledger.JournalWriter;
import org.coalition.gateway.ledger.Posting;
import org.coalition.gateway.ledger.PostingTemplate;
import org.coalition.gateway.operations.Tracing;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.transfer.TransferTypes.TransferPayload;

/**
 * The operator takes a posted transfer back: the points the recipient still has from it go back into the sender's
 * lots they came from (a REVERSAL entry linked to the transfer); what the recipient already spent is the shortfall,
 * kept on the transfer, like the clawback of a reversed earn.
 */
@ApplicationScoped
public class TransferReversals {

    static final int MAX_REASON_LENGTH = 500;
    private static final String REVERSE = """
            select transfer_reverse($1, $2, $3, $4, $5, $6, $7, $8, $9) as taken
            """;

    private final AccountBook accounts;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;
    private final String operatorId;

    public TransferReversals(AccountBook accounts, IdempotentTransactions idempotent, RequestFingerprints fingerprints,
            CoalitionConfig config) {
        this.accounts = accounts;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
        this.operatorId = config.operator().partnerId();
    }

    @WithSpan
    public Uni<TransferPayload> reverse(Caller caller, TransferTypes.ReverseTransferInput input) {
        Tracing.tag(caller, "reverseTransfer");
        return HouseholdService.guarded(() -> {
            if (caller.kind() != Caller.Kind.OPERATOR) {
                throw BusinessFailure.of(ErrorCode.FORBIDDEN, "Only the coalition operator reverses transfers");
            }
            IdempotencyKeyRule.require(input.idempotencyKey);
            UUID transferId = HouseholdService.parseId(input.transferId, "transferId");
            if (input.reason == null || input.reason.isBlank() || input.reason.length() > MAX_REASON_LENGTH) {
                throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "reason is required, at most " + MAX_REASON_LENGTH + " characters",
                        "input", "reason");
            }
            return idempotent.execute(caller, fingerprints.of(caller, "reverseTransfer", input.idempotencyKey, input),
                    (connection, reversalId) -> connection
                            .preparedQuery("""
                                    select t.*, s.account_id as sender_account, r.account_id as recipient_account
                                    from member_transfers t join members s on s.id = t.sender_id join members r on r.id = t.recipient_id
                                    where t.id = $1 for update of t
                                    """)
                            .execute(Tuple.of(transferId))
                            .map(TransferReversals::posted)
                            .flatMap(transfer -> takeBack(connection, reversalId, transfer, input.reason))
                            .flatMap(ignored -> TransferService.load(connection, transferId)).map(TransferPayload::ok),
                    (connection, ignored) -> TransferService.load(connection, transferId).map(TransferPayload::ok));
        }, TransferPayload::failed);
    }

    private static Row posted(Iterable<Row> rows) {
        var found = rows.iterator();
        if (!found.hasNext()) {
            throw BusinessFailure.of(ErrorCode.TRANSFER_NOT_FOUND, "No transfer has this id", "input", "transferId");
        }
        Row transfer = found.next();
        if (!"POSTED".equals(transfer.getString("status"))) {
            throw BusinessFailure.of(ErrorCode.NOT_REVERSIBLE, "Only a posted transfer can be reversed; this one is "
                    + transfer.getString("status"), "input", "transferId");
        }
        return transfer;
    }

    private Uni<Void> takeBack(SqlConnection connection, UUID reversalId, Row transfer, String reason) {
        int points = transfer.getInteger("points");
        // the postings of one point, scaled in the statement to what the recipient still has
        List<Posting> unit = PostingTemplate.TRANSFER_REVERSAL.postings(1, accounts
                .accountsFor(transfer.getLong("sender_account"), operatorId).withCounterparty(transfer.getLong("recipient_account")));
        Tuple arguments = Tuple.from(new Object[] {reversalId, transfer.getUUID("entry_id"), transfer.getUUID("sender_id"),
                transfer.getUUID("recipient_id"), operatorId, points,
                Instant.now().truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC)});
        return connection.preparedQuery(REVERSE).execute(JournalWriter.addPostings(arguments, unit))
                .map(rows -> rows.iterator().next().getInteger("taken"))
                .flatMap(taken -> connection.preparedQuery("""
                                update member_transfers set status = 'REVERSED', reversal_id = $2, reversal_shortfall = $3,
                                       reversal_reason = $4, resolved_at = now()
                                where id = $1
                                """)
                        .execute(Tuple.of(transfer.getUUID("id"), taken > 0 ? reversalId : null, points - taken, reason))
                        .invoke(() -> Log.debugf("reversed transfer %s: %d of %d points", transfer.getUUID("id"), taken, points)))
                .replaceWithVoid();
    }
}
