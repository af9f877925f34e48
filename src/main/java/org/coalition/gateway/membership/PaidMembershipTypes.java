package org.coalition.gateway.membership;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Enum;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import io.vertx.mutiny.sqlclient.Row;

import org.coalition.gateway.member.MemberRefInput;
import org.coalition.gateway.shared.PageInfo;
import org.coalition.gateway.shared.UserError;

/** GraphQL shapes of paid club memberships. */
public final class PaidMembershipTypes {

    private PaidMembershipTypes() {
    }

    @Enum("PaidMembershipStatus")
    public enum PaidMembershipStatus {
        @Description("Benefits apply until endsAt.")
        ACTIVE,
        @Description("Cancelled in cooling-off and refunded; benefits stopped at the cancellation.")
        CANCELLED,
        @Description("Past endsAt without renewal; no benefits.")
        LAPSED;

        /** A stored ACTIVE membership past its end has lapsed, whether or not a later start has stored it. */
        static PaidMembershipStatus at(String stored, Instant endsAt, Instant now) {
            PaidMembershipStatus status = valueOf(stored);
            return status == ACTIVE && !now.isBefore(endsAt) ? LAPSED : status;
        }
    }

    @Type("PaidMembership")
    @Description("A member's paid club membership, bought through a partner; the fee settles between that partner and the operator.")
    public record PaidMembership(@Id @NonNull String id, @NonNull @Id String clubId, @NonNull String clubName,
            @NonNull @Id String memberId, @NonNull @Id String sellingPartnerId, @NonNull PaidMembershipStatus status,
            @NonNull @Description("The fee per term, as bought.") BigDecimal fee, @NonNull String currency,
            @NonNull @Description("ISO-8601 period, e.g. P1Y.") String term,
            @NonNull @Description("Earns count this many times while active.") BigDecimal earnMultiplier,
            @NonNull Instant startsAt, @NonNull @Description("Benefits stop at this instant.") Instant endsAt,
            @Description("When it was cancelled: in cooling-off it was refunded, else it runs to endsAt.") Instant cancelledAt,
            @NonNull @Description("Whether the fees were refunded (cancelled in cooling-off).") Boolean refunded,
            @NonNull Instant coolingOffEndsAt, @NonNull Instant createdAt) {

        static final String COLUMNS = """
                m.id, m.club_id, m.member_id, m.partner_id, m.status, m.fee_amount, m.currency, m.term, m.earn_multiplier,
                m.starts_at, m.ends_at, m.cancelled_at, m.cooling_off_days, m.created_at, now() as read_at""";

        static PaidMembership from(Row row, ClubCatalog clubs) {
            Instant startsAt = row.getOffsetDateTime("starts_at").toInstant();
            Instant endsAt = row.getOffsetDateTime("ends_at").toInstant();
            String clubId = row.getString("club_id");
            String stored = row.getString("status");
            return new PaidMembership(row.getUUID("id").toString(), clubId, clubs.byId(clubId).map(Club::name).orElse(clubId),
                    row.getUUID("member_id").toString(), row.getString("partner_id"),
                    PaidMembershipStatus.at(stored, endsAt, row.getOffsetDateTime("read_at").toInstant()),
                    row.getBigDecimal("fee_amount"), row.getString("currency").strip(), row.getString("term"),
                    row.getBigDecimal("earn_multiplier"), startsAt, endsAt,
                    row.getOffsetDateTime("cancelled_at") == null ? null : row.getOffsetDateTime("cancelled_at").toInstant(),
                    "CANCELLED".equals(stored), Club.coolingOffEnd(startsAt, row.getInteger("cooling_off_days")),
                    row.getOffsetDateTime("created_at").toInstant());
        }
    }

    @Type("PaidMembershipPayload")
    public record PaidMembershipPayload(PaidMembership membership, @NonNull List<@NonNull UserError> userErrors) {
        static PaidMembershipPayload of(PaidMembership membership) {
            return new PaidMembershipPayload(membership, List.of());
        }

        static PaidMembershipPayload failed(List<UserError> errors) {
            return new PaidMembershipPayload(null, errors);
        }
    }

    @Type("PaidMembershipConnection")
    public record PaidMembershipConnection(@NonNull List<@NonNull PaidMembershipEdge> edges, @NonNull PageInfo pageInfo) {
    }

    @Type("PaidMembershipEdge")
    public record PaidMembershipEdge(@NonNull String cursor, @NonNull PaidMembership node) {
    }

    @Input("StartPaidMembershipInput")
    public static class StartPaidMembershipInput {
        @NonNull
        public String idempotencyKey;
        @NonNull
        public MemberRefInput member;
        @Id
        @NonNull
        @Description("A club of the coalition's clubs.yaml that the calling partner may sell.")
        public String clubId;
        @NonNull
        @Description("The partner's reference of the payment it took for the fee.")
        public String paymentReference;
    }

    @Input("RenewPaidMembershipInput")
    public static class RenewPaidMembershipInput {
        @NonNull
        public String idempotencyKey;
        @Id
        @NonNull
        public String membershipId;
        @NonNull
        public String paymentReference;
    }

    @Input("CancelPaidMembershipInput")
    public static class CancelPaidMembershipInput {
        @NonNull
        public String idempotencyKey;
        @Id
        @NonNull
        public String membershipId;
    }
}
