package org.coalition.gateway.challenge;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.challenge.ChallengeTypes.Challenge;
import org.coalition.gateway.challenge.ChallengeTypes.ChallengeKind;
import org.coalition.gateway.challenge.ChallengeTypes.ChallengePayload;
import org.coalition.gateway.challenge.ChallengeTypes.ChallengeProgress;
import org.coalition.gateway.challenge.ChallengeTypes.ChallengeWindow;
import org.coalition.gateway.challenge.ChallengeTypes.CreateChallengeInput;
import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.partner.PartnerDirectory;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.UserError;
import org.coalition.gateway.shared.UserErrors;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * The coalition's challenges: operators set them; members see their progress; the earn that completes one pays
 * its reward (SQL {@code challenges_award}, inside the earn's statement).
 */
@ApplicationScoped
public class ChallengeService {

    static final int MAX_NAME_LENGTH = 120;
    static final int MAX_TARGET = 1000;
    static final int MAX_REWARD = 1_000_000;

    private static final String RUNNING = "select " + Challenge.COLUMNS
            + " from challenges c where c.status = 'ACTIVE' and c.starts_at <= now() and c.ends_at > now() order by c.id";
    private static final String ONE = "select " + Challenge.COLUMNS + " from challenges c where c.id = $1";
    private static final String INSERT = """
            insert into challenges (id, name, kind, target, partner_id, window_kind, window_days, reward_points, funded_by,
                                    starts_at, ends_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """;
    private static final String END = "update challenges set status = 'ENDED' where id = $1";
    private static final String PROGRESS = "select " + Challenge.COLUMNS + """
                   , challenge_progress(coalition_member(), c, now()) as progress,
                   exists (select 1 from challenge_completions k where k.challenge_id = c.id and k.member_id = coalition_member()
                           and k.period = challenge_period(c, now())) as completed
            from challenges c where c.status = 'ACTIVE' and c.starts_at <= now() and c.ends_at > now() order by c.id
            """;

    private final TenantSessions sessions;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;
    private final PartnerDirectory partners;

    public ChallengeService(TenantSessions sessions, IdempotentTransactions idempotent, RequestFingerprints fingerprints,
            PartnerDirectory partners) {
        this.sessions = sessions;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
        this.partners = partners;
    }

    public Uni<List<Challenge>> running(Caller caller) {
        return sessions.inTransaction(caller, connection -> connection.query(RUNNING).execute()
                .map(rows -> rows.stream().map(Challenge::from).toList()));
    }

    public Uni<List<ChallengeProgress>> progress(Caller member) {
        return sessions.inTransaction(member, connection -> connection.query(PROGRESS).execute()
                .map(rows -> rows.stream().map(row -> new ChallengeProgress(Challenge.from(row), row.getInteger("progress"),
                        row.getBoolean("completed"))).toList()));
    }

    public Uni<ChallengePayload> create(Caller operator, CreateChallengeInput input) {
        return UserErrors.answered(() -> {
            validate(input, Instant.now());
            return idempotent.execute(operator, fingerprints.of(operator, "createChallenge", input.idempotencyKey, input),
                            (connection, id) -> connection.preparedQuery(INSERT).execute(arguments(input, id))
                                    .flatMap(ignored -> connection.preparedQuery(ONE).execute(Tuple.of(id))),
                            (connection, id) -> connection.preparedQuery(ONE).execute(Tuple.of(id)))
                    .map(rows -> ChallengePayload.of(Challenge.from(rows.iterator().next())));
        }, ChallengePayload::failed);
    }

    /** Ends a challenge at once: no earn completes it any more; rewards paid stay paid. */
    public Uni<ChallengePayload> end(Caller operator, ChallengeTypes.EndChallengeInput input) {
        return UserErrors.answered(() -> {
            IdempotencyKeyRule.require(input.idempotencyKey);
            UUID id;
            try {
                id = UUID.fromString(input.id);
            } catch (IllegalArgumentException e) {
                throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "No such challenge", "input", "id");
            }
            return idempotent.execute(operator, fingerprints.of(operator, "endChallenge", input.idempotencyKey, input),
                            (connection, ignored) -> connection.preparedQuery(END).execute(Tuple.of(id))
                                    .flatMap(ignoredRows -> connection.preparedQuery(ONE).execute(Tuple.of(id))),
                            (connection, ignored) -> connection.preparedQuery(ONE).execute(Tuple.of(id)))
                    .map(rows -> {
                        if (rows.rowCount() == 0) {
                            throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "No such challenge", "input", "id");
                        }
                        return ChallengePayload.of(Challenge.from(rows.iterator().next()));
                    });
        }, ChallengePayload::failed);
    }

    private static Tuple arguments(CreateChallengeInput input, UUID id) {
        return Tuple.tuple().addUUID(id).addString(input.name.strip()).addString(input.kind.name()).addInteger(input.target)
                .addString(input.kind == ChallengeKind.VISITS ? input.partnerId : null).addString(input.window.name())
                .addInteger(input.window == ChallengeWindow.ROLLING_DAYS ? input.windowDays : null)
                .addInteger(input.rewardPoints).addString(input.fundedBy.name())
                .addOffsetDateTime(input.startsAt.atOffset(ZoneOffset.UTC)).addOffsetDateTime(input.endsAt.atOffset(ZoneOffset.UTC));
    }

    private void validate(CreateChallengeInput input, Instant now) {
        List<UserError> errors = new ArrayList<>();
        IdempotencyKeyRule.check(input.idempotencyKey).ifPresent(errors::add);
        if (input.name == null || input.name.isBlank() || input.name.length() > MAX_NAME_LENGTH) {
            errors.add(UserError.invalid("name is 1 to " + MAX_NAME_LENGTH + " characters", "input", "name"));
        }
        if (input.target < 1 || input.target > MAX_TARGET) {
            errors.add(UserError.invalid("target is 1 to " + MAX_TARGET, "input", "target"));
        }
        if (input.kind == ChallengeKind.VISITS && (input.partnerId == null || partners.byId(input.partnerId).isEmpty())) {
            errors.add(UserError.of(ErrorCode.PARTNER_NOT_FOUND, "A VISITS challenge names the partner to visit", "input", "partnerId"));
        }
        if (input.window == ChallengeWindow.ROLLING_DAYS && (input.windowDays == null || input.windowDays < 1 || input.windowDays > 366)) {
            errors.add(UserError.invalid("windowDays is 1 to 366 for a rolling window", "input", "windowDays"));
        }
        if (input.rewardPoints < 1 || input.rewardPoints > MAX_REWARD) {
            errors.add(UserError.invalid("rewardPoints is 1 to " + MAX_REWARD, "input", "rewardPoints"));
        }
        if (!input.endsAt.isAfter(input.startsAt) || !input.endsAt.isAfter(now)
                || Duration.between(input.startsAt, input.endsAt).toDays() > 366) {
            errors.add(UserError.invalid("endsAt comes after startsAt, lies in the future, within 366 days", "input", "endsAt"));
        }
        if (!errors.isEmpty()) {
            throw new BusinessFailure(errors);
        }
    }
}
