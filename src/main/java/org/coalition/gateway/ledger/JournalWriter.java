package org.coalition.gateway.ledger;

import java.time.Instant;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.smallrye.mutiny.Uni;

/**
 * Appends journal entries. An entry, its postings and the lot it opens go to the database in one
 * statement: one round trip on the hot path, and never an entry without its postings. The same
 * statement records the entry's event for subscribers ({@link LedgerEvents}).
 */
@ApplicationScoped
public class JournalWriter {

    private static final String INSERT_ENTRY = """
            with entry as (
                insert into journal_entries (id, kind, member_id, partner_id, points, purchase_amount, currency,
                                             channel, partner_reference, occurred_at, reverses_id, contract_version,
                                             reversed_points)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $19)
                returning id, posted_at
            ), legs as (
                insert into postings (entry_id, account_id, member_id, partner_id, amount)
                select entry.id, leg.account_id, $3, $4, leg.amount
                from entry, unnest($13::bigint[], $14::bigint[]) as leg(account_id, amount)
            ), lot as (
                insert into lots (member_id, issuer_id, entry_id, points, remaining, earned_at, expires_at)
                select $3, $15, entry.id, $16, $16, $17, $18 from entry where $16 > 0
            ), event as (
                insert into ledger_events (entry_id, member_id, partner_id) select entry.id, $3, $4 from entry
            )
            select posted_at from entry
            """;

    public Uni<Instant> post(SqlConnection connection, NewEntry entry) {
        Long[] accounts = entry.postings().stream().map(Posting::accountId).toArray(Long[]::new);
        Long[] amounts = entry.postings().stream().map(Posting::amount).toArray(Long[]::new);
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
                .addInteger(entry.contractVersion())
                .addArrayOfLong(accounts)
                .addArrayOfLong(amounts)
                .addString(entry.lot().map(NewEntry.NewLot::issuerId).orElse(null))
                .addInteger(entry.lot().map(NewEntry.NewLot::points).orElse(0))
                .addOffsetDateTime(entry.lot().map(lot -> lot.earnedAt().atOffset(ZoneOffset.UTC)).orElse(null))
                .addOffsetDateTime(entry.lot().map(lot -> lot.expiresAt().atOffset(ZoneOffset.UTC)).orElse(null))
                .addInteger(entry.reversedPoints());
        return connection.preparedQuery(INSERT_ENTRY).execute(params)
                .map(rows -> rows.iterator().next().getOffsetDateTime("posted_at").toInstant());
    }
}
