package org.coalition.gateway.redemption;

import java.time.Instant;
import java.util.UUID;

import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import io.vertx.mutiny.sqlclient.Row;

/** Points reserved at a partner until it captures or voids them, or they expire; member, partner and transaction resolve in {@link HoldApi}. */
@Type("RedemptionHold")
public record RedemptionHold(
        @Id @NonNull String id,
        int points,
        @NonNull HoldStatus status,
        @NonNull Instant expiresAt,
        @Ignore UUID memberId,
        @Ignore String partnerId,
        @Ignore UUID transactionId) {

    static final String COLUMNS = "id, member_id, partner_id, points, status, expires_at, transaction_id";

    static RedemptionHold from(Row row) {
        return new RedemptionHold(row.getUUID("id").toString(), row.getInteger("points"),
                HoldStatus.valueOf(row.getString("status")), row.getOffsetDateTime("expires_at").toInstant(),
                row.getUUID("member_id"), row.getString("partner_id"), row.getUUID("transaction_id"));
    }
}
