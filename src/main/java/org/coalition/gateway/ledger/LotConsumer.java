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
 * Takes points out of a member's lots, oldest first, in one statement ({@code lots_consume_fifo}, V9,
 * which the one-statement redemption calls too). Callers must already hold the member row's lock (the conditional balance UPDATE takes it), so two spends of one member never
 * pick the same lots.
 */
@ApplicationScoped
public class LotConsumer {

    private static final String CONSUME_FIFO = "select lot_id, issuer_id, points from lots_consume_fifo($1, $2, $3, $4)";

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
