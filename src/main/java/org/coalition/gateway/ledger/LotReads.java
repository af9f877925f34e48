package org.coalition.gateway.ledger;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.shared.Database;

/** What a member's open lots say: points by issuer and what expires when. */
@ApplicationScoped
public class LotReads {

    private final Database database;

    public LotReads(Database database) {
        this.database = database;
    }

    /** Points that expire at or before {@code until}, including lots already past expiry that the expiry job has not swept yet. */
    public Uni<Integer> expiringBy(UUID memberId, Instant until) {
        return database.withConnection(connection -> connection.preparedQuery("""
                        select coalesce(sum(remaining), 0) as points from lots
                        where member_id = $1 and remaining > 0 and expires_at <= $2
                        """)
                        .execute(Tuple.of(memberId, until.atOffset(ZoneOffset.UTC))))
                .map(rows -> rows.iterator().next().getLong("points").intValue());
    }

    public Uni<Optional<Instant>> nextExpiry(UUID memberId) {
        return database.withConnection(connection -> connection
                        .preparedQuery("select min(expires_at) as next from lots where member_id = $1 and remaining > 0")
                        .execute(Tuple.of(memberId)))
                .map(rows -> Optional.ofNullable(rows.iterator().next().getOffsetDateTime("next")).map(t -> t.toInstant()));
    }

    /** Remaining points per issuing partner, largest first. */
    public Uni<Map<String, Integer>> remainingByIssuer(UUID memberId) {
        return database.withConnection(connection -> connection.preparedQuery("""
                        select issuer_id, sum(remaining) as points from lots
                        where member_id = $1 and remaining > 0
                        group by issuer_id order by points desc, issuer_id
                        """)
                        .execute(Tuple.of(memberId)))
                .map(rows -> {
                    Map<String, Integer> byIssuer = new LinkedHashMap<>();
                    rows.forEach(row -> byIssuer.put(row.getString("issuer_id"), row.getLong("points").intValue()));
                    return byIssuer;
                });
    }
}
