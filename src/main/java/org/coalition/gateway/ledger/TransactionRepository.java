package org.coalition.gateway.ledger;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.ledger.TransactionConnection.TransactionEdge;
import org.coalition.gateway.shared.PageRequest;

/** Reads of posted transactions: one by id, or a keyset-paginated page newest first. */
@ApplicationScoped
public class TransactionRepository {

    public Uni<Optional<PointTransaction>> find(SqlClient client, UUID id) {
        return client.preparedQuery("select " + PointTransaction.COLUMNS + " from journal_entries e where e.id = $1")
                .execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(PointTransaction.from(rows.iterator().next())));
    }

    public Uni<Optional<PointTransaction>> findOfMemberSubject(SqlClient client, UUID id, String subject) {
        return client.preparedQuery("select " + PointTransaction.COLUMNS
                        + " from journal_entries e join members m on m.id = e.member_id where e.id = $1 and m.subject = $2")
                .execute(Tuple.of(id, subject))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(PointTransaction.from(rows.iterator().next())));
    }

    public Uni<List<PointTransaction>> findAll(SqlClient client, List<UUID> ids) {
        return client.preparedQuery("select " + PointTransaction.COLUMNS + " from journal_entries e where e.id = any($1)")
                .execute(Tuple.of(ids.toArray(UUID[]::new)))
                .map(rows -> {
                    List<PointTransaction> found = new ArrayList<>();
                    rows.forEach(row -> found.add(PointTransaction.from(row)));
                    return found;
                });
    }

    public Uni<TransactionConnection> page(SqlClient client, TransactionQuery query) {
        List<String> conditions = new ArrayList<>();
        Tuple params = Tuple.tuple();
        if (query.memberId() != null) {
            params.addUUID(query.memberId());
            conditions.add("e.member_id = $" + params.size());
        }
        if (query.memberSubject() != null) {
            params.addString(query.memberSubject());
            conditions.add("e.member_id = (select m.id from members m where m.subject = $" + params.size() + ")");
        }
        if (query.partnerId() != null) {
            params.addString(query.partnerId());
            conditions.add("e.partner_id = $" + params.size());
        }
        if (query.kinds() != null && !query.kinds().isEmpty()) {
            params.addArrayOfString(query.kinds().stream().map(Enum::name).toArray(String[]::new));
            conditions.add("e.kind = any($" + params.size() + ")");
        }
        if (query.from() != null) {
            params.addOffsetDateTime(query.from().atOffset(ZoneOffset.UTC));
            conditions.add("e.occurred_at >= $" + params.size());
        }
        if (query.to() != null) {
            params.addOffsetDateTime(query.to().atOffset(ZoneOffset.UTC));
            conditions.add("e.occurred_at < $" + params.size());
        }
        PageRequest page = query.page();
        if (page.hasCursor()) {
            params.addOffsetDateTime(page.afterTime().atOffset(ZoneOffset.UTC));
            params.addUUID(page.afterId());
            conditions.add("(e.posted_at, e.id) < ($" + (params.size() - 1) + ", $" + params.size() + ")");
        }
        params.addInteger(page.fetchSize());
        String sql = "select " + PointTransaction.COLUMNS + " from journal_entries e"
                + (conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions))
                + " order by e.posted_at desc, e.id desc limit $" + params.size();
        return client.preparedQuery(sql).execute(params).map(rows -> {
            List<PointTransaction> found = new ArrayList<>();
            rows.forEach(row -> found.add(PointTransaction.from(row)));
            PageRequest.Page<TransactionEdge> shown = page.page(found,
                    tx -> new TransactionEdge(PageRequest.cursor(tx.postedAt(), UUID.fromString(tx.id())), tx),
                    TransactionEdge::cursor);
            return new TransactionConnection(shown.edges(), shown.pageInfo());
        });
    }
}
