package org.coalition.gateway.member;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.ServiceUnavailable;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * Moves cards stored under a previous card key (or under a key not recorded, V50) to the current key: opens each
 * card's sealed copy with whichever key sealed it, and stores its token and seal again under the current key. A
 * batch per run, rows locked with SKIP LOCKED so replicas share the work; look-ups find a card under any configured
 * key meanwhile ({@link CardTokens#candidates}), so nothing waits for it. {@link #status} tells the operator when a
 * previous key can be dropped (README, "Rotating the card key").
 */
@ApplicationScoped
public class CardKeyRotation {

    /** The label of a card whose sealed copy opens with no configured key: not picked up again, reported as stuck. */
    static final String UNOPENABLE = "?";
    /** What {@link CardKeyRotation} has yet to move: a sealed card under a previous key or a key not recorded. */
    private static final String TO_MOVE = "card_sealed is not null and card_key = any($1)";
    private static final String PICK = "select id, card_sealed from members where " + TO_MOVE + " limit $2 for update skip locked";
    /** An unopenable card keeps its token and seal (null in moved) and is only labelled {@link #UNOPENABLE}. */
    private static final String STORE = """
            update members set card_number = coalesce(moved.token, members.card_number),
                               card_sealed = coalesce(moved.sealed, members.card_sealed), card_key = moved.key
            from unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) as moved (id, token, sealed, key)
            where members.id = moved.id
            """;
    private static final String COUNT = "select count(*) filter (where " + TO_MOVE + ") as remaining,"
            + " count(*) filter (where not (" + TO_MOVE + ")) as stuck"
            + " from members where erased_at is null and card_key <> $2";

    private final TenantSessions sessions;
    private final CardTokens cards;
    private final int batchSize;

    public CardKeyRotation(TenantSessions sessions, CardTokens cards, CoalitionConfig config) {
        this.sessions = sessions;
        this.cards = cards;
        this.batchSize = config.privacy().cardRotationBatchSize();
    }

    @Description("Cards still to be moved to the current card key. A previous key may be dropped from the configuration "
            + "when remaining and stuck are both 0.")
    public record CardKeyRotationStatus(
            @NonNull @Description("Fingerprint of the current card key (not the key).") String currentKey,
            @NonNull @Description("Fingerprints of the previous card keys configured.") List<@NonNull String> previousKeys,
            @Description("Cards under a previous key (or one not recorded) that the rotation job will move.") long remaining,
            @Description("Cards under another key that cannot be moved: no sealed copy (enrolled before sealing, or "
                    + "inserted by SQL) or one no configured key opens. Their key must stay configured while they matter.")
            long stuck) {
    }

    @Scheduled(every = "${coalition.privacy.card-rotation-interval}", delayed = "${coalition.privacy.card-rotation-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> moveOnSchedule() {
        return moveBatch()
                .invoke(moved -> {
                    if (moved > 0) {
                        Log.infof("Moved %d cards to the current card key %s", moved, cards.keyId());
                    }
                })
                .replaceWithVoid()
                .onFailure(ServiceUnavailable.class).recoverWithNull();
    }

    /** Moves up to one batch; returns how many cards it moved. */
    public Uni<Integer> moveBatch() {
        return sessions.asSystem(connection -> connection.preparedQuery(PICK)
                .execute(Tuple.of(keysToMove(), batchSize))
                .flatMap(rows -> {
                    List<Row> picked = new ArrayList<>();
                    rows.forEach(picked::add);
                    return picked.isEmpty() ? Uni.createFrom().item(0) : store(connection, picked);
                }));
    }

    public Uni<CardKeyRotationStatus> status() {
        return sessions.asSystem(connection -> connection.preparedQuery(COUNT).execute(Tuple.of(keysToMove(), cards.keyId())))
                .map(rows -> {
                    Row counts = rows.iterator().next();
                    return new CardKeyRotationStatus(cards.keyId(), cards.previousKeyIds(), counts.getLong("remaining"), counts.getLong("stuck"));
                });
    }

    private Uni<Integer> store(SqlConnection connection, List<Row> picked) {
        List<UUID> ids = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        List<String> seals = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        int moved = 0;
        for (Row row : picked) {
            UUID id = row.getUUID("id");
            ids.add(id);
            try {
                CardTokens.Reissued reissued = cards.reissue(row.getString("card_sealed"));
                tokens.add(reissued.token());
                seals.add(reissued.sealed());
                keys.add(reissued.keyId());
                moved++;
            } catch (IllegalStateException unopenable) {
                Log.warnf("The sealed card of member %s opens with no configured card key; left as it is", id);
                tokens.add(null);
                seals.add(null);
                keys.add(UNOPENABLE);
            }
        }
        int movedCards = moved;
        return connection.preparedQuery(STORE)
                .execute(Tuple.of(ids.toArray(UUID[]::new), tokens.toArray(String[]::new), seals.toArray(String[]::new),
                        keys.toArray(String[]::new)))
                .replaceWith(movedCards);
    }

    /** The card_key labels of cards to move: not recorded, or a previous key. */
    private String[] keysToMove() {
        List<String> labels = new ArrayList<>();
        labels.add("");
        labels.addAll(cards.previousKeyIds());
        return labels.toArray(String[]::new);
    }
}
