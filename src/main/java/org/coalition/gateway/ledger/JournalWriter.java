package org.coalition.gateway.ledger;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.smallrye.mutiny.Uni;

/**
 * Appends journal entries. An entry, its postings and the lot it opens go to the database in one
 * statement: one round trip, and never an entry without its postings. The same statement records the
 * entry's event for subscribers ({@link LedgerEvents}).
 */
@ApplicationScoped
public class JournalWriter {

    private final LedgerMetrics metrics;

    public JournalWriter(LedgerMetrics metrics) {
        this.metrics = metrics;
    }

    // ledger_append_entry (V9) is also what the one-statement earn and redemption call.
    private static final String INSERT_ENTRY = """
            select ledger_append_entry($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
                   as posted_at
            """;

    public Uni<Instant> post(SqlConnection connection, NewEntry entry) {
        Tuple params = Tuple.tuple()
                .addUUID(entry.id())
                .addString(entry.kind().name())
                .addUUID(entry.memberId())
                .addString(entry.partnerId())
                .addInteger(entry.points())
                .addBigDecimal(entry.purchaseAmount())
                .addString(entry.currency())
                .addString(entry.channel() == null ? null : entry.channel().name())
                .addString(entry.partnerReference())
                .addOffsetDateTime(entry.occurredAt().atOffset(ZoneOffset.UTC))
                .addUUID(entry.reversesId())
                .addInteger(entry.contractVersion());
        addPostings(params, entry.postings())
                .addString(entry.lot().map(NewEntry.NewLot::issuerId).orElse(null))
                .addInteger(entry.lot().map(NewEntry.NewLot::points).orElse(0))
                .addOffsetDateTime(entry.lot().map(lot -> lot.earnedAt().atOffset(ZoneOffset.UTC)).orElse(null))
                .addOffsetDateTime(entry.lot().map(lot -> lot.expiresAt().atOffset(ZoneOffset.UTC)).orElse(null))
                .addInteger(entry.reversedPoints());
        return connection.preparedQuery(INSERT_ENTRY).execute(params)
                .map(rows -> rows.iterator().next().getOffsetDateTime("posted_at").toInstant())
                .invoke(() -> metrics.posted(entry));
    }

    /** Appends postings as ledger_append_entry's two arrays: account ids and signed amounts. */
    public static Tuple addPostings(Tuple arguments, List<Posting> postings) {
        return arguments.addArrayOfLong(postings.stream().map(Posting::accountId).toArray(Long[]::new))
                .addArrayOfLong(postings.stream().map(Posting::amount).toArray(Long[]::new));
    }

    /** The same legs as two fields of a set-based function's JSON request (V57's {@code earn_request}). */
    public static JsonObject putPostings(JsonObject request, String accountsField, String amountsField, List<Posting> postings) {
        return request.put(accountsField, new JsonArray(postings.stream().map(Posting::accountId).map(Object.class::cast).toList()))
                .put(amountsField, new JsonArray(postings.stream().map(Posting::amount).map(Object.class::cast).toList()));
    }
}
