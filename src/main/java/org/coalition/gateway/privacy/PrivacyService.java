package org.coalition.gateway.privacy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.privacy.PrivacyTypes.DecideRetentionReviewInput;
import org.coalition.gateway.privacy.PrivacyTypes.ErasureRequester;
import org.coalition.gateway.privacy.PrivacyTypes.PersonalDataRead;
import org.coalition.gateway.privacy.PrivacyTypes.RetentionDecision;
import org.coalition.gateway.privacy.PrivacyTypes.RetentionReview;
import org.coalition.gateway.privacy.PrivacyTypes.RetentionReviewPayload;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.ServiceUnavailable;
import org.coalition.gateway.shared.UserErrors;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * The member's data export, the log of who read a member's personal data, and the retention review of members
 * inactive for longer than {@code coalition.privacy.inactive-after}.
 */
@ApplicationScoped
public class PrivacyService {

    static final int MAX_NOTE_LENGTH = 500;
    static final int MAX_PAGE_SIZE = 100;

    private static final String EXPORT = "select member_data_export($1)::text as document";
    private static final String LOG_READ = """
            insert into personal_data_reads (member_id, reader_kind, reader_partner, reader_subject, what)
            select id, $2, $3, $4, $5 from members where id = $1 and erased_at is null
            """;
    private static final String READS_OF_MEMBER = "select " + PersonalDataRead.COLUMNS
            + " from personal_data_reads where member_id = $1 order by read_at desc, id desc limit $2";
    private static final String READS = "select " + PersonalDataRead.COLUMNS
            + " from personal_data_reads order by read_at desc, id desc limit $1";
    private static final String FLAG_INACTIVE = """
            insert into retention_reviews (member_id, last_active_at)
            select m.id, m.last_active_at from members m
            where m.erased_at is null and m.last_active_at < now() - make_interval(secs => $1)
              and not exists (select from retention_reviews r where r.member_id = m.id
                              and (r.decision is null or r.decided_at > now() - make_interval(secs => $1)))
            limit $2
            on conflict (member_id) do update
            set flagged_at = now(), last_active_at = excluded.last_active_at, decision = null, decided_at = null,
                decided_by = null, note = null
            """;
    private static final String OPEN_REVIEWS = "select " + RetentionReview.COLUMNS
            + " from retention_reviews where decision is null order by flagged_at, member_id limit $1";
    private static final String REVIEW = "select " + RetentionReview.COLUMNS + " from retention_reviews where member_id = $1";
    private static final String KEEP = """
            update retention_reviews set decision = 'KEEP', decided_at = now(), decided_by = $2, note = $3
            where member_id = $1 and decision is null
            """;

    private final TenantSessions sessions;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;
    private final ErasureService erasures;
    private final CoalitionConfig config;

    public PrivacyService(TenantSessions sessions, IdempotentTransactions idempotent, RequestFingerprints fingerprints,
            ErasureService erasures, CoalitionConfig config) {
        this.sessions = sessions;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
        this.erasures = erasures;
        this.config = config;
    }

    // ------------------------------------------------------------------ export

    /** Everything held about the member, as JSON; an operator's export is logged as a read of the member's data. */
    public Uni<Optional<String>> export(Caller reader, UUID memberId) {
        return sessions.asSystem(connection -> (reader.isMember() ? Uni.createFrom().voidItem()
                        : connection.preparedQuery(LOG_READ).execute(readLine(reader, memberId, "dataExport")).replaceWithVoid())
                .flatMap(logged -> connection.preparedQuery(EXPORT).execute(Tuple.of(memberId))))
                .map(rows -> Optional.ofNullable(rows.iterator().next().getString("document")));
    }

    // ------------------------------------------------------------------ reads of personal data

    /** Logs a read of a member's personal data by a partner, the settlement team or an operator. */
    public Uni<Void> logRead(Caller reader, UUID memberId, String what) {
        if (reader.isMember() || reader.kind() == Caller.Kind.SYSTEM) {
            return Uni.createFrom().voidItem();
        }
        return sessions.asSystem(connection -> connection.preparedQuery(LOG_READ).execute(readLine(reader, memberId, what)))
                .replaceWithVoid();
    }

    private static Tuple readLine(Caller reader, UUID memberId, String what) {
        return Tuple.from(java.util.Arrays.asList(memberId, reader.kind().name(), reader.partnerId(),
                reader.isPartner() ? null : reader.subject(), what));
    }

    /** Who read this member's data, newest first: the member sees partners and kinds, an operator also who. */
    public Uni<List<PersonalDataRead>> reads(Caller viewer, UUID memberId, int first) {
        int limit = pageSize(first);
        boolean operator = viewer.kind() == Caller.Kind.OPERATOR;
        return sessions.asSystem(connection -> memberId == null
                        ? connection.preparedQuery(READS).execute(Tuple.of(limit))
                        : connection.preparedQuery(READS_OF_MEMBER).execute(Tuple.of(memberId, limit)))
                .map(rows -> {
                    List<PersonalDataRead> reads = new ArrayList<>();
                    rows.forEach(row -> reads.add(PersonalDataRead.from(row, operator)));
                    return reads;
                });
    }

    // ------------------------------------------------------------------ retention

    @Scheduled(every = "${coalition.privacy.retention-interval:6h}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> flagOnSchedule() {
        return flagInactive().invoke(flagged -> {
            if (flagged > 0) {
                Log.infof("Flagged %d inactive members for retention review", flagged);
            }
        }).replaceWithVoid().onFailure(ServiceUnavailable.class).recoverWithNull();
    }

    /** Flags up to one batch of members inactive for longer than the retention period; returns how many. */
    public Uni<Integer> flagInactive() {
        Duration inactiveAfter = config.privacy().inactiveAfter();
        return sessions.asSystem(connection -> connection.preparedQuery(FLAG_INACTIVE)
                        .execute(Tuple.of(inactiveAfter.toSeconds(), config.privacy().retentionBatchSize())))
                .map(rows -> rows.rowCount());
    }

    public Uni<List<RetentionReview>> openReviews(Caller operator, int first) {
        return sessions.inTransaction(operator, connection -> connection.preparedQuery(OPEN_REVIEWS).execute(Tuple.of(pageSize(first))))
                .map(rows -> {
                    List<RetentionReview> reviews = new ArrayList<>();
                    rows.forEach(row -> reviews.add(RetentionReview.from(row)));
                    return reviews;
                });
    }

    /** KEEP records why; ERASE erases the member (points forfeited) in the same transaction. */
    public Uni<RetentionReviewPayload> decide(Caller operator, DecideRetentionReviewInput input) {
        return UserErrors.answered(() -> {
            IdempotencyKeyRule.require(input.idempotencyKey);
            UUID memberId = PrivacyTypes.memberId(input.memberId);
            if (input.decision == RetentionDecision.KEEP && (input.note == null || input.note.isBlank())) {
                throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "Say why the data is kept", "input", "note");
            }
            if (input.note != null && input.note.length() > MAX_NOTE_LENGTH) {
                throw BusinessFailure.of(ErrorCode.LIMIT_EXCEEDED, "note has at most " + MAX_NOTE_LENGTH + " characters", "input", "note");
            }
            return idempotent.execute(operator, fingerprints.of(operator, "decideRetentionReview", input.idempotencyKey, input),
                    (connection, ignored) -> connection.preparedQuery(REVIEW).execute(Tuple.of(memberId)).flatMap(rows -> {
                        if (rows.size() == 0 || RetentionReview.from(rows.iterator().next()).decision() != null) {
                            throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "This member has no open retention review",
                                    "input", "memberId");
                        }
                        return input.decision == RetentionDecision.KEEP
                                ? connection.preparedQuery(KEEP).execute(Tuple.of(memberId, operator.subject(), input.note))
                                        .flatMap(kept -> review(connection, memberId, null))
                                : erasures.eraseWithin(connection, operator, memberId, ErasureRequester.RETENTION, Optional.empty())
                                        .flatMap(erasure -> review(connection, memberId, erasure));
                    }),
                    (connection, ignored) -> review(connection, memberId, null));
        }, RetentionReviewPayload::failed);
    }

    private Uni<RetentionReviewPayload> review(io.vertx.mutiny.sqlclient.SqlConnection connection, UUID memberId,
            PrivacyTypes.Erasure erasure) {
        return connection.preparedQuery(REVIEW).execute(Tuple.of(memberId))
                .map(rows -> new RetentionReviewPayload(RetentionReview.from(rows.iterator().next()), erasure, List.of()));
    }

    private static int pageSize(int first) {
        if (first < 1 || first > MAX_PAGE_SIZE) {
            throw new org.coalition.gateway.shared.InvalidArgument("first must be between 1 and " + MAX_PAGE_SIZE);
        }
        return first;
    }
}
