package org.coalition.gateway.challenge;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Enum;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import io.vertx.mutiny.sqlclient.Row;

import org.coalition.gateway.shared.UserError;

/** GraphQL shapes of the coalition's challenges. */
public final class ChallengeTypes {

    private ChallengeTypes() {
    }

    @Enum("ChallengeKind")
    public enum ChallengeKind {
        @Description("Earn at `target` different partners within the window.")
        DISTINCT_PARTNERS,
        @Description("Earn `target` times at one partner within the window.")
        VISITS
    }

    @Enum("ChallengeWindow")
    public enum ChallengeWindow {
        @Description("The calendar month (UTC); the reward can be won again each month.")
        CALENDAR_MONTH,
        @Description("The last windowDays days; the reward is won once.")
        ROLLING_DAYS
    }

    @Enum("ChallengeFunder")
    public enum ChallengeFunder {
        OPERATOR,
        @Description("The partner where the completing earn happens.")
        EARNING_PARTNER
    }

    @Type("Challenge")
    public record Challenge(@Id @NonNull String id, @NonNull String name, @NonNull ChallengeKind kind, int target,
            @Description("VISITS: where.") String partnerId, @NonNull ChallengeWindow window, Integer windowDays,
            int rewardPoints, @NonNull ChallengeFunder fundedBy, @NonNull Instant startsAt, @NonNull Instant endsAt) {

        static final String COLUMNS = """
                c.id, c.name, c.kind, c.target, c.partner_id, c.window_kind, c.window_days, c.reward_points, c.funded_by,
                c.starts_at, c.ends_at
                """;

        static Challenge from(Row row) {
            return new Challenge(row.getUUID("id").toString(), row.getString("name"), ChallengeKind.valueOf(row.getString("kind")),
                    row.getInteger("target"), row.getString("partner_id"), ChallengeWindow.valueOf(row.getString("window_kind")),
                    row.getInteger("window_days"), row.getInteger("reward_points"), ChallengeFunder.valueOf(row.getString("funded_by")),
                    row.getOffsetDateTime("starts_at").toInstant(), row.getOffsetDateTime("ends_at").toInstant());
        }
    }

    @Type("ChallengeProgress")
    @Description("Where the calling member stands in a running challenge.")
    public record ChallengeProgress(@NonNull Challenge challenge, int progress,
            @Description("Completed in the current period (this month, or ever for a rolling one): the reward is paid.") boolean completed) {
    }

    @Input("CreateChallengeInput")
    public static class CreateChallengeInput {
        @NonNull
        public String idempotencyKey;
        @NonNull
        public String name;
        @NonNull
        public ChallengeKind kind;
        public int target;
        @Description("VISITS only: the partner to visit.")
        public String partnerId;
        @NonNull
        public ChallengeWindow window;
        public Integer windowDays;
        public int rewardPoints;
        @NonNull
        public ChallengeFunder fundedBy;
        @NonNull
        public Instant startsAt;
        @NonNull
        public Instant endsAt;
    }

    @Input("EndChallengeInput")
    public static class EndChallengeInput {
        @NonNull
        public String idempotencyKey;
        @Id
        @NonNull
        public String id;
    }

    @Type("ChallengePayload")
    public record ChallengePayload(Challenge challenge, @NonNull List<@NonNull UserError> userErrors) {
        static ChallengePayload of(Challenge challenge) {
            return new ChallengePayload(challenge, List.of());
        }

        static ChallengePayload failed(List<UserError> errors) {
            return new ChallengePayload(null, errors);
        }
    }
}
