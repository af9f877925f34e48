package org.coalition.gateway.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.shared.Invariant;

/**
 * Lot movements of reversals. Callers hold the member's row lock, so the lots cannot move underneath.
 * Every movement is recorded as a draw of the reversal entry: positive when points leave a lot,
 * negative when they return to it.
 */
@ApplicationScoped
public class LotReversals {

    private static final String EARNED_LOT = "select id, issuer_id, remaining from lots where entry_id = $1";
    private static final String TAKE = "update lots set remaining = remaining - $2 where id = $1 and remaining >= $2";
    private static final String GIVE_BACK = "update lots set remaining = remaining + $2 where id = $1 and remaining + $2 <= points";
    private static final String DRAW = """
            insert into lot_consumptions (entry_id, lot_id, member_id, issuer_id, points, partner_id)
            values ($1, $2, $3, $4, $5, $6)
            """;
    /** What each lot of a redemption can still get back: drawn, minus what earlier reversals returned; newest lots first. */
    private static final String RESTORABLE = """
            select c.lot_id, c.issuer_id,
                   c.points + coalesce((select sum(r.points) from lot_consumptions r
                                        join journal_entries e on e.id = r.entry_id
                                        where e.reverses_id = c.entry_id and r.lot_id = c.lot_id), 0) as restorable
            from lot_consumptions c join lots l on l.id = c.lot_id
            where c.entry_id = $1
            order by l.earned_at desc, l.id desc
            """;

    /** The lot an earn opened, with what is left of it. */
    public record EarnedLot(long id, String issuerId, int remaining) {
    }

    public Uni<EarnedLot> earnedLot(SqlConnection connection, UUID earnId) {
        return connection.preparedQuery(EARNED_LOT).execute(Tuple.of(earnId)).map(rows -> rows.size() == 0
                ? new EarnedLot(0, null, 0)
                : new EarnedLot(rows.iterator().next().getLong("id"), rows.iterator().next().getString("issuer_id"),
                        rows.iterator().next().getInteger("remaining")));
    }

    /** Takes points back out of the lot an earn opened (a reversed earn). */
    public Uni<Void> takeBack(SqlConnection connection, EarnedLot lot, int points, UUID reversalId, UUID memberId,
            String partnerId) {
        if (points == 0) {
            return Uni.createFrom().voidItem();
        }
        return connection.preparedQuery(TAKE).execute(Tuple.of(lot.id(), points))
                .invoke(rows -> Invariant.check(rows.rowCount() == 1, "lot " + lot.id() + " holds fewer than " + points))
                .flatMap(ignored -> connection.preparedQuery(DRAW)
                        .execute(Tuple.of(reversalId, lot.id(), memberId, lot.issuerId(), points, partnerId)))
                .replaceWithVoid();
    }

    /** Returns redeemed points to the lots the redemption drew from, newest first; their expiry is unchanged. */
    public Uni<List<LotConsumer.Consumption>> giveBack(SqlConnection connection, UUID redemptionId, int points, UUID reversalId,
            UUID memberId, String partnerId) {
        return connection.preparedQuery(RESTORABLE).execute(Tuple.of(redemptionId)).flatMap(rows -> {
            List<Tuple> returns = new ArrayList<>();
            int left = points;
            for (var row : rows) {
                int back = Math.min(left, row.getInteger("restorable"));
                if (back > 0) {
                    returns.add(Tuple.of(row.getLong("lot_id"), back, row.getString("issuer_id")));
                    left -= back;
                }
            }
            Invariant.check(left == 0, "redemption " + redemptionId + " drew " + (points - left) + " of " + points + " to give back");
            return Multi.createFrom().iterable(returns)
                    .onItem().transformToUniAndConcatenate(back -> connection.preparedQuery(GIVE_BACK)
                            .execute(Tuple.of(back.getLong(0), back.getInteger(1)))
                            .invoke(updated -> Invariant.check(updated.rowCount() == 1, "lot " + back.getLong(0) + " overfilled"))
                            .flatMap(ignored -> connection.preparedQuery(DRAW).execute(Tuple.of(reversalId, back.getLong(0),
                                    memberId, back.getString(2), -back.getInteger(1), partnerId))))
                    .collect().last()
                    .map(ignored -> returns.stream().map(back -> new LotConsumer.Consumption(back.getLong(0),
                            back.getString(2), back.getInteger(1))).toList());
        });
    }
}
