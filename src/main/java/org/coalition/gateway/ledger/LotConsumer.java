package org.coalition.gateway.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.shared.Invariant;

/**
 * Takes points out of a member's lots, oldest first, in one statement. Callers must already hold the
 * member row's lock (the conditional balance UPDATE takes it), so two spends of one member never
 * pick the same lots.
 */
@ApplicationScoped
public class LotConsumer {

    private static final String CONSUME_FIFO = """
            with open_lots as (
                select id, issuer_id, remaining,
                       sum(remaining) over (order by earned_at, id) - remaining as before_this
                from lots
                where member_id = $1 and remaining > 0
                order by earned_at, id
            ), taken as (
                select id, issuer_id, least(remaining, $2 - before_this) as points
                from open_lots
                where before_this < $2
            ), consumed as (
                update lots set remaining = lots.remaining - taken.points
                from taken where lots.id = taken.id
                returning lots.id
            )
            insert into lot_consumptions (entry_id, lot_id, member_id, issuer_id, points, partner_id)
            select $3, taken.id, $1, taken.issuer_id, taken.points, $4 from taken join consumed on consumed.id = taken.id
            returning lot_id, issuer_id, points
            """;

    /** @param partnerId the partner the points are spent at */
    public Uni<List<Consumption>> consumeOldestFirst(SqlConnection connection, UUID memberId, int points, UUID entryId,
            String partnerId) {
        return connection.preparedQuery(CONSUME_FIFO).execute(Tuple.of(memberId, points, entryId, partnerId))
                .map(rows -> {
                    List<Consumption> consumed = new ArrayList<>();
                    for (Row row : rows) {
                        consumed.add(new Consumption(row.getLong("lot_id"), row.getString("issuer_id"), row.getInteger("points")));
                    }
                    int total = consumed.stream().mapToInt(Consumption::points).sum();
                    Invariant.check(total == points,
                            "member " + memberId + " lots hold " + total + " of " + points + " points spent");
                    return consumed;
                });
    }

    public record Consumption(long lotId, String issuerId, int points) {
    }
}
