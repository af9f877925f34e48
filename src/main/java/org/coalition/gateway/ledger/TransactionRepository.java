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

    /** One transaction of the member with this login: their own entry, or one of a transfer they received, as they see it. */
    public Uni<Optional<PointTransaction>> findOfMemberSubject(SqlClient client, UUID id, String subject) {
        return client.preparedQuery("select " + PointTransaction.COLUMNS
                        + " from journal_entries e join members m on m.id = e.member_id where e.id = $1 and m.subject = $2"
                        + " union all select " + PointTransaction.RECEIVED_COLUMNS
                        + " from journal_entries e join member_transfers t on t.entry_id = coalesce(e.reverses_id, e.id)"
                        + " join members m on m.id = t.recipient_id"
                        + " where e.id = $1 and e.kind in ('TRANSFER', 'REVERSAL') and m.subject = $2")
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

    /** A page newest first; for one member, their own transactions and the transfers they received. */
    public Uni<TransactionConnection> page(SqlClient client, TransactionQuery query) {
        Tuple params = Tuple.tuple();
        List<String> member = new ArrayList<>();
        if (query.memberId() != null) {
            params.addUUID(query.memberId());
            member.add("$" + params.size());
        }
        if (query.memberSubject() != null) {
            params.addString(query.memberSubject());
            member.add("(select m.id from members m where m.subject = $" + params.size() + ")");
        }
        List<String> conditions = filters(query, params);
        PageRequest page = query.page();
        params.addInteger(page.fetchSize());
        String limit = "$" + params.size();
        String sql = member.isEmpty()
                ? newestFirst(PointTransaction.COLUMNS, "journal_entries e", conditions, limit)
                : ownAndReceived(member, conditions, limit);
        return client.preparedQuery(sql).execute(params).map(rows -> {
            List<PointTransaction> found = new ArrayList<>();
            rows.forEach(row -> found.add(PointTransaction.from(row)));
            PageRequest.Page<TransactionEdge> shown = page.page(found,
                    tx -> new TransactionEdge(PageRequest.cursor(tx.postedAt(), UUID.fromString(tx.id())), tx),
                    TransactionEdge::cursor);
            return new TransactionConnection(shown.edges(), shown.pageInfo());
        });
    }

    /** The conditions on entry e besides whose it is: partner, kinds, time range and the cursor. */
    private static List<String> filters(TransactionQuery query, Tuple params) {
        List<String> conditions = new ArrayList<>();
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
        return conditions;
    }

    /**
     * One member's history: their own entries (journal_entries_by_member, read in order up to the page) and the entries
     * of the transfers they received, which name the sender (every transfer they received, by
     * member_transfers_by_recipient, then its entries by id), each cut to the page, merged newest first.
     */
    private static String ownAndReceived(List<String> member, List<String> conditions, String limit) {
        String own = newestFirst(PointTransaction.COLUMNS, "journal_entries e", withMember("e.member_id", member, conditions), limit);
        String received = newestFirst(PointTransaction.RECEIVED_COLUMNS,
                "member_transfers t join journal_entries e on e.id in (t.entry_id, t.reversal_id)",
                withMember("t.recipient_id", member, conditions), limit);
        return "select * from ((" + own + ") union all (" + received + ")) shown order by shown.posted_at desc, shown.id desc limit "
                + limit;
    }

    private static List<String> withMember(String column, List<String> member, List<String> conditions) {
        List<String> all = new ArrayList<>(member.stream().map(id -> column + " = " + id).toList());
        all.addAll(conditions);
        return all;
    }

    private static String newestFirst(String columns, String from, List<String> conditions, String limit) {
        return "select " + columns + " from " + from + (conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions))
                + " order by e.posted_at desc, e.id desc limit " + limit;
    }
}
