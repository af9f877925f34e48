package org.coalition.gateway.transfer;

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

import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.ledger.AccountBook;
import org.coalition.gateway.ledger.EntryIds;
import org.coalition.gateway.ledger.JournalWriter;
import org.coalition.gateway.ledger.LedgerAccounts;
import org.coalition.gateway.ledger.Posting;
import org.coalition.gateway.ledger.PostingTemplate;
import org.coalition.gateway.member.MemberKey;
import org.coalition.gateway.member.MemberRepository;
import org.coalition.gateway.member.MemberRepository.MemberAccount;
import org.coalition.gateway.operations.Tracing;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.UserError;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;
import org.coalition.gateway.transfer.TransferTypes.MyTransfers;
import org.coalition.gateway.transfer.TransferTypes.PointsTransfer;
import org.coalition.gateway.transfer.TransferTypes.TransferPayload;

/**
 * Points one member gives another. Within a household the transfer posts at once; otherwise it is an offer that
 * holds the sender's points (members.held, like a redemption hold) until the recipient accepts or declines it, or
 * it expires. Posting is one TRANSFER entry of the operator that moves the sender's lots, oldest first, to the
 * recipient with their issuer and expiry ({@code transfer_post}, V17); nothing is owed between partners.
 */
@ApplicationScoped
public class TransferService {

    private static final int MAX_LISTED = 100;
    private static final String SELECT = "select " + PointsTransfer.COLUMNS + PointsTransfer.FROM;
    // The posting writes the recipient's side of the ledger too, which a member's session may not: once the caller
    // has been checked in this transaction, the rest of it runs as the gateway's own system work.
    private static final String AS_SYSTEM = "select coalition_set_caller('SYSTEM', '', '', $1)";
    private static final String POST = "select transfer_post($1, $2, $3, $4, $5, $6, $7, $8, $9) as posted_at";
    private static final String INSERT = """
            insert into member_transfers (id, sender_id, recipient_id, points, message, within_household, status, expires_at, entry_id,
                                          resolved_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, case when $7 = 'POSTED' then now() end)
            """;
    private static final String SENT_TODAY = """
            select coalesce(sum(points), 0) as sent from member_transfers
            where sender_id = $1 and created_at >= $2 and status not in ('DECLINED', 'EXPIRED')
            """;
    private static final String SAME_HOUSEHOLD = """
            select 1 from household_members where member_id = $1 and household_id = coalition_member_household()
            """;

    private final MemberRepository members;
    private final AccountBook accounts;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;
    private final TenantSessions sessions;
    private final CoalitionConfig.Transfers limits;
    private final String operatorId;

    public TransferService(MemberRepository members, AccountBook accounts, IdempotentTransactions idempotent,
            RequestFingerprints fingerprints, TenantSessions sessions, CoalitionConfig config) {
        this.members = members;
        this.accounts = accounts;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
        this.sessions = sessions;
        this.limits = config.transfers();
        this.operatorId = config.operator().partnerId();
    }

    @WithSpan
    public Uni<TransferPayload> transfer(Caller caller, TransferTypes.TransferPointsInput input) {
        Tracing.tag(caller, "transferPoints");
        return HouseholdService.guarded(() -> {
            List<UserError> errors = TransferRules.check(input, limits);
            if (!errors.isEmpty()) {
                throw new BusinessFailure(errors);
            }
            return idempotent.execute(caller, fingerprints.of(caller, "transferPoints", input.idempotencyKey, input),
                    (connection, transferId) -> start(connection, caller, transferId, input).map(TransferPayload::ok),
                    (connection, transferId) -> load(connection, transferId).map(TransferPayload::ok));
        }, TransferPayload::failed);
    }

    private Uni<PointsTransfer> start(SqlConnection connection, Caller caller, UUID transferId, TransferTypes.TransferPointsInput input) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return members.find(connection, new MemberKey.BySubject(caller.subject()))
                .map(found -> found.orElseThrow(() -> BusinessFailure.of(ErrorCode.MEMBER_NOT_FOUND,
                        "Claim your card with claimMembership before giving points")))
                .flatMap(sender -> members.find(connection, new MemberKey.ByCard(input.toCardNumber))
                        .map(found -> found.orElseThrow(() -> BusinessFailure.of(ErrorCode.MEMBER_NOT_FOUND,
                                "No member has this card number", "input", "toCardNumber")))
                        .flatMap(recipient -> {
                            if (recipient.id().equals(sender.id())) {
                                throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "You cannot give points to yourself",
                                        "input", "toCardNumber");
                            }
                            return lockInIdOrder(connection, sender.id(), recipient.id())
                                    .call(() -> withinDailyLimit(connection, sender.id(), input.points, now))
                                    .flatMap(ignored -> connection.preparedQuery(SAME_HOUSEHOLD).execute(Tuple.of(recipient.id())))
                                    .flatMap(household -> household.size() > 0
                                            ? postAtOnce(connection, caller, transferId, sender, recipient, input)
                                            : offer(connection, transferId, sender, recipient, input, now));
                        }))
                .flatMap(ignored -> load(connection, transferId));
    }

    /** Both member rows locked by id, the order every transfer takes them in, so that two transfers never deadlock. */
    private static Uni<Void> lockInIdOrder(SqlConnection connection, UUID one, UUID other) {
        return connection.preparedQuery("select id from members where id = any($1) order by id for update")
                .execute(Tuple.of(new UUID[] {one, other})).replaceWithVoid();
    }

    private Uni<Void> withinDailyLimit(SqlConnection connection, UUID sender, int points, Instant now) {
        return connection.preparedQuery(SENT_TODAY)
                .execute(Tuple.of(sender, TransferRules.startOfUtcDay(now).atOffset(ZoneOffset.UTC)))
                .invoke(rows -> TransferRules.dailyLimit(rows.iterator().next().getLong("sent"), points, limits.maxPointsPerDay())
                        .ifPresent(error -> {
                            throw new BusinessFailure(List.of(error));
                        }))
                .replaceWithVoid();
    }

    private Uni<Void> postAtOnce(SqlConnection connection, Caller caller, UUID transferId, MemberAccount sender,
            MemberAccount recipient, TransferTypes.TransferPointsInput input) {
        UUID entryId = EntryIds.next();
        return post(connection, caller, entryId, sender, recipient, input.points, 0)
                .flatMap(ignored -> connection.preparedQuery(INSERT).execute(Tuple.from(new Object[] {transferId, sender.id(),
                        recipient.id(), input.points, input.message, true, "POSTED", null, entryId})))
                .replaceWithVoid();
    }

    private Uni<Void> offer(SqlConnection connection, UUID transferId, MemberAccount sender, MemberAccount recipient,
            TransferTypes.TransferPointsInput input, Instant now) {
        return members.reserve(connection, new MemberKey.ById(sender.id()), input.points)
                .flatMap(held -> connection.preparedQuery(INSERT).execute(Tuple.from(new Object[] {transferId, sender.id(),
                        recipient.id(), input.points, input.message, false, "PENDING",
                        now.plus(limits.offerTtl()).atOffset(ZoneOffset.UTC), null})))
                .replaceWithVoid();
    }

    /** The TRANSFER entry: the postings of the template, the lots moved with issuer and expiry, under both row locks. */
    private Uni<Instant> post(SqlConnection connection, Caller caller, UUID entryId, MemberAccount sender,
            MemberAccount recipient, int points, int releaseHeld) {
        LedgerAccounts ledger = accounts.accountsFor(sender.accountId(), operatorId).withCounterparty(recipient.accountId());
        List<Posting> postings = PostingTemplate.TRANSFER.postings(points, ledger);
        Tuple arguments = Tuple.from(new Object[] {entryId, sender.id(), recipient.id(), operatorId, points, releaseHeld,
                Instant.now().truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC)});
        return connection.preparedQuery(AS_SYSTEM).execute(Tuple.of(caller.idempotencyScope()))
                .flatMap(ignored -> connection.preparedQuery(POST).execute(JournalWriter.addPostings(arguments, postings)))
                .onFailure().transform(MemberRepository::businessFailureOf)
                .map(rows -> rows.iterator().next().getOffsetDateTime("posted_at").toInstant())
                .invoke(() -> Log.debugf("transfer entry %s: %d points from %s to %s", entryId, points, sender.id(), recipient.id()));
    }

    @WithSpan
    public Uni<TransferPayload> accept(Caller caller, TransferTypes.TransferAnswerInput input) {
        return answer(caller, "acceptPointsTransfer", input, (connection, transfer) -> {
            MemberAccount[] pair = new MemberAccount[2];
            return lockInIdOrder(connection, transfer.getUUID("sender_id"), transfer.getUUID("recipient_id"))
                    .flatMap(ignored -> members.find(connection, new MemberKey.ById(transfer.getUUID("sender_id"))))
                    .invoke(found -> pair[0] = found.orElseThrow())
                    .flatMap(ignored -> members.find(connection, new MemberKey.ById(transfer.getUUID("recipient_id"))))
                    .invoke(found -> pair[1] = found.orElseThrow())
                    .flatMap(ignored -> {
                        UUID entryId = EntryIds.next();
                        int points = transfer.getInteger("points");
                        return post(connection, caller, entryId, pair[0], pair[1], points, points)
                                .flatMap(postedAt -> resolve(connection, transfer.getUUID("id"), "POSTED", entryId));
                    });
        });
    }

    @WithSpan
    public Uni<TransferPayload> decline(Caller caller, TransferTypes.TransferAnswerInput input) {
        return answer(caller, "declinePointsTransfer", input, (connection, transfer) -> release(connection, transfer)
                .flatMap(ignored -> resolve(connection, transfer.getUUID("id"), "DECLINED", null)));
    }

    /** The recipient answers an offer that is still open: nobody else, and only once. */
    private Uni<TransferPayload> answer(Caller caller, String operation, TransferTypes.TransferAnswerInput input,
            java.util.function.BiFunction<SqlConnection, Row, Uni<Void>> resolution) {
        Tracing.tag(caller, operation);
        return HouseholdService.guarded(() -> {
            IdempotencyKeyRule.require(input.idempotencyKey);
            UUID transferId = HouseholdService.parseId(input.transferId, "transferId");
            return idempotent.execute(caller, fingerprints.of(caller, operation, input.idempotencyKey, input),
                    (connection, ignored) -> members.find(connection, new MemberKey.BySubject(caller.subject()))
                            .flatMap(me -> connection.preparedQuery("select * from member_transfers where id = $1 for update")
                                    .execute(Tuple.of(transferId))
                                    .map(rows -> openOfferTo(rows, me.map(MemberAccount::id).orElse(null))))
                            .flatMap(transfer -> resolution.apply(connection, transfer))
                            .flatMap(done -> load(connection, transferId)).map(TransferPayload::ok),
                    (connection, ignored) -> load(connection, transferId).map(TransferPayload::ok));
        }, TransferPayload::failed);
    }

    private static Row openOfferTo(Iterable<Row> rows, UUID recipient) {
        var found = rows.iterator();
        Row transfer = found.hasNext() ? found.next() : null;
        if (transfer == null || !transfer.getUUID("recipient_id").equals(recipient)) {
            throw BusinessFailure.of(ErrorCode.TRANSFER_NOT_FOUND, "No transfer to you has this id", "input", "transferId");
        }
        boolean expired = transfer.getOffsetDateTime("expires_at") != null
                && !transfer.getOffsetDateTime("expires_at").toInstant().isAfter(Instant.now());
        if (!"PENDING".equals(transfer.getString("status")) || expired) {
            throw BusinessFailure.of(ErrorCode.TRANSFER_ALREADY_RESOLVED,
                    "This transfer is " + (expired ? "EXPIRED" : transfer.getString("status")), "input", "transferId");
        }
        return transfer;
    }

    private static Uni<Void> release(SqlConnection connection, Row transfer) {
        return connection.preparedQuery("update members set held = held - $2 where id = $1")
                .execute(Tuple.of(transfer.getUUID("sender_id"), transfer.getInteger("points"))).replaceWithVoid();
    }

    private static Uni<Void> resolve(SqlConnection connection, UUID transferId, String status, UUID entryId) {
        return connection.preparedQuery("""
                        update member_transfers set status = $2, resolved_at = now(), entry_id = coalesce($3, entry_id)
                        where id = $1 and status = 'PENDING'
                        """)
                .execute(Tuple.of(transferId, status, entryId))
                .invoke(rows -> org.coalition.gateway.shared.Invariant.check(rows.rowCount() == 1, "transfer " + transferId + " resolved twice"))
                .replaceWithVoid();
    }

    /** Releases the offers nobody answered in time, at most a batch per run, senders locked in id order. */
    public Uni<Integer> releaseExpired(Instant asOf) {
        return sessions.asSystem(connection -> connection.preparedQuery("""
                        with due as (
                            select id, sender_id, points from member_transfers
                            where status = 'PENDING' and expires_at <= $1
                            order by expires_at limit $2 for update skip locked
                        ), locked as (
                            select m.id from members m where m.id in (select sender_id from due) order by m.id for update
                        ), released as (
                            update members m set held = m.held - d.points
                            from (select sender_id, sum(points) as points from due group by sender_id) d
                            where m.id = d.sender_id and (select count(*) from locked) >= 0
                        )
                        update member_transfers t set status = 'EXPIRED', resolved_at = now() from due where t.id = due.id
                        """)
                .execute(Tuple.of(asOf.atOffset(ZoneOffset.UTC), limits.expiryBatchSize()))
                .map(rows -> rows.rowCount()));
    }

    public Uni<MyTransfers> mine(Caller caller) {
        return sessions.inTransaction(caller, connection -> members.find(connection, new MemberKey.BySubject(caller.subject()))
                .map(found -> found.orElseThrow(() -> BusinessFailure.of(ErrorCode.MEMBER_NOT_FOUND,
                        "Claim your card with claimMembership first")))
                .flatMap(me -> list(connection, "t.sender_id = $1", me.id())
                        .flatMap(sent -> list(connection, "t.recipient_id = $1", me.id())
                                .map(received -> new MyTransfers(sent, received, received.stream()
                                        .filter(t -> t.status() == TransferTypes.TransferStatus.PENDING).toList())))));
    }

    private static Uni<List<PointsTransfer>> list(SqlConnection connection, String condition, UUID member) {
        return connection.preparedQuery(SELECT + " where " + condition + " order by t.created_at desc, t.id limit " + MAX_LISTED)
                .execute(Tuple.of(member))
                .map(rows -> {
                    List<PointsTransfer> found = new ArrayList<>();
                    rows.forEach(row -> found.add(PointsTransfer.from(row)));
                    return found;
                });
    }

    static Uni<PointsTransfer> load(SqlConnection connection, UUID transferId) {
        return connection.preparedQuery(SELECT + " where t.id = $1").execute(Tuple.of(transferId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw BusinessFailure.of(ErrorCode.TRANSFER_NOT_FOUND, "No transfer has this id", "input", "transferId");
                    }
                    return PointsTransfer.from(rows.iterator().next());
                });
    }
}
