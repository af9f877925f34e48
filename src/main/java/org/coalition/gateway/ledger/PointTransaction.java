package org.coalition.gateway.ledger;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import io.vertx.mutiny.sqlclient.Row;

/** A posted transaction as partners and members see it; member, partner and reverses resolve in {@link TransactionApi}. */
@Type("PointTransaction")
public record PointTransaction(
        @Id @NonNull String id,
        @NonNull TransactionKind kind,
        @Description("Signed from the member's point of view: + earned, - spent.") int points,
        BigDecimal purchaseAmount,
        String currency,
        Channel channel,
        @Description("The partner's own receipt or order reference.") String partnerReference,
        @NonNull Instant occurredAt,
        @NonNull Instant postedAt,
        @Description("Points of this transaction not yet reversed.") int reversiblePoints,
        @Ignore UUID memberId,
        @Ignore String partnerId,
        @Ignore UUID reversesId) {

    /** Columns every transaction read of entry e selects, with reversiblePoints derived from later reversals. */
    static final String COLUMNS = columns("e.member_id", "e.points");

    /**
     * The same columns for an entry e of a transfer t as its recipient sees it: the entry names the sender and their
     * side of it (a TRANSFER -n, its REVERSAL +taken), the recipient's side is the opposite.
     */
    static final String RECEIVED_COLUMNS = columns("t.recipient_id as member_id", "-e.points as points");

    private static String columns(String member, String points) {
        return """
                e.id, e.kind, %s, e.partner_id, %s, e.purchase_amount, e.currency, e.channel,
                e.partner_reference, e.occurred_at, e.posted_at, e.reverses_id,
                case when e.kind in ('EARN', 'REDEMPTION')
                     then abs(e.points) - coalesce((select sum(r.reversed_points) from journal_entries r where r.reverses_id = e.id), 0)
                     else 0 end as reversible_points
                """.formatted(member, points);
    }

    static PointTransaction from(Row row) {
        String channel = row.getString("channel");
        String currency = row.getString("currency") == null ? null : row.getString("currency").strip();
        BigDecimal amount = row.getBigDecimal("purchase_amount");
        return new PointTransaction(
                row.getUUID("id").toString(),
                TransactionKind.valueOf(row.getString("kind")),
                row.getInteger("points"),
                inCurrencyScale(amount, currency),
                currency,
                channel == null ? null : Channel.valueOf(channel),
                row.getString("partner_reference"),
                row.getOffsetDateTime("occurred_at").toInstant(),
                row.getOffsetDateTime("posted_at").toInstant(),
                row.getLong("reversible_points").intValue(),
                row.getUUID("member_id"),
                row.getString("partner_id"),
                row.getUUID("reverses_id"));
    }

    /** The transaction an entry became, without reading it back. */
    public static PointTransaction posted(NewEntry entry, Instant postedAt) {
        return new PointTransaction(entry.id().toString(), entry.kind(), entry.points(),
                inCurrencyScale(entry.purchaseAmount(), entry.currency()), entry.currency(), entry.channel(),
                entry.partnerReference(), entry.occurredAt(), postedAt,
                entry.kind() == TransactionKind.EARN || entry.kind() == TransactionKind.REDEMPTION ? Math.abs(entry.points()) : 0,
                entry.memberId(), entry.partnerId(), entry.reversesId());
    }

    /** Amounts are stored with four decimals; partners get them back in their currency's scale. */
    private static BigDecimal inCurrencyScale(BigDecimal amount, String currency) {
        if (amount == null || currency == null) {
            return amount;
        }
        return amount.setScale(java.util.Currency.getInstance(currency).getDefaultFractionDigits(), java.math.RoundingMode.UNNECESSARY);
    }
}
