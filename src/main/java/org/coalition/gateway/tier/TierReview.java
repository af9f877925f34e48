package org.coalition.gateway.tier;

import java.time.Instant;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.ServiceUnavailable;
import org.coalition.gateway.tenancy.TenantSessions;
import org.coalition.gateway.tier.TierProgram.Tier;

/**
 * The yearly tier review, the only time a member goes down: an hourly job runs the review of the most recent
 * review date until every member is reviewed, so a replica that was down on the day catches up, and several
 * replicas share the work (SQL {@code tier_review}).
 */
@ApplicationScoped
public class TierReview {

    private static final String REVIEW = "select tier_review($1, $2, $3, $4, $5, $6) as reviewed";

    private final TenantSessions sessions;
    private final TierPrograms programs;
    private final int batchSize;

    public TierReview(TenantSessions sessions, TierPrograms programs, CoalitionConfig config) {
        this.sessions = sessions;
        this.programs = programs;
        this.batchSize = config.tiers().reviewBatchSize();
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> reviewDue() {
        return review(programs.current().lastReviewAt(Instant.now()))
                .invoke(reviewed -> {
                    if (reviewed > 0) {
                        Log.infof("Tier review: %d members reviewed", reviewed);
                    }
                })
                .replaceWithVoid()
                .onFailure(ServiceUnavailable.class).recoverWithNull();
    }

    /** Reviews every member due at {@code at}, a batch per transaction; returns how many. */
    public Uni<Integer> review(Instant at) {
        return batch(at).flatMap(reviewed -> reviewed < batchSize
                ? Uni.createFrom().item(reviewed)
                : review(at).map(more -> reviewed + more));
    }

    private Uni<Integer> batch(Instant at) {
        TierProgram program = programs.current();
        Tuple arguments = Tuple.tuple().addOffsetDateTime(at.atOffset(ZoneOffset.UTC)).addString(program.measure().name())
                .addInteger(program.windowMonths())
                .addArrayOfString(program.tiers().stream().map(Tier::id).toArray(String[]::new))
                .addArrayOfInteger(program.tiers().stream().map(Tier::threshold).toArray(Integer[]::new))
                .addInteger(batchSize);
        return sessions.asSystem(connection -> connection.preparedQuery(REVIEW).execute(arguments))
                .map(rows -> rows.iterator().next().getInteger("reviewed"));
    }
}
