package org.coalition.gateway.transfer;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Enum;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import io.vertx.mutiny.sqlclient.Row;

import org.coalition.gateway.member.CardTokens;
import org.coalition.gateway.shared.UserError;

/** GraphQL shapes of households and of transfers between members. */
public final class TransferTypes {

    private TransferTypes() {
    }

    @Enum("TransferStatus")
    public enum TransferStatus {
        @Description("An offer outside a household, waiting for the recipient; its points are held from the sender.")
        PENDING,
        POSTED,
        DECLINED,
        @Description("Nobody accepted the offer in time; its points went back to the sender.")
        EXPIRED,
        @Description("Taken back by the coalition operator.")
        REVERSED
    }

    @Enum("HouseholdInvitationStatus")
    public enum InvitationStatus {
        PENDING,
        ACCEPTED,
        DECLINED,
        @Description("The inviting household no longer had room, or the invitee joined another household.")
        WITHDRAWN
    }

    @Type("PointsTransfer")
    @Description("Points one member gave another; the points keep the lots (issuer and expiry) they came from.")
    public record PointsTransfer(@Id @NonNull String id, @NonNull String fromCardNumber, @NonNull String toCardNumber,
            int points, String message, boolean withinHousehold, @NonNull TransferStatus status, @NonNull Instant createdAt,
            @Description("When an offer that nobody accepts goes back to the sender.") Instant expiresAt, Instant resolvedAt,
            @Id String transactionId, @Id String reversalTransactionId,
            @Description("Points of a reversed transfer the recipient had already spent.") Integer reversalShortfall) {

        static final String COLUMNS = """
                t.id, s.card_number as from_card, r.card_number as to_card, t.points, t.message, t.within_household, t.status,
                t.created_at, t.expires_at, t.resolved_at, t.entry_id, t.reversal_id, t.reversal_shortfall
                """;
        static final String FROM = " from member_transfers t join members s on s.id = t.sender_id join members r on r.id = t.recipient_id ";

        static PointsTransfer from(Row row) {
            return new PointsTransfer(row.getUUID("id").toString(), CardTokens.display(row.getString("from_card")), CardTokens.display(row.getString("to_card")),
                    row.getInteger("points"), row.getString("message"), row.getBoolean("within_household"),
                    TransferStatus.valueOf(row.getString("status")), row.getOffsetDateTime("created_at").toInstant(),
                    instant(row, "expires_at"), instant(row, "resolved_at"), text(row, "entry_id"), text(row, "reversal_id"),
                    row.getInteger("reversal_shortfall"));
        }
    }

    @Type("MyTransfers")
    public record MyTransfers(@NonNull @Description("Newest first, at most 100.") List<@NonNull PointsTransfer> sent,
            @NonNull @Description("Newest first, at most 100.") List<@NonNull PointsTransfer> received,
            @NonNull @Description("Offers to this member waiting for acceptPointsTransfer or declinePointsTransfer.")
            List<@NonNull PointsTransfer> awaitingMyAnswer) {
    }

    @Type("HouseholdMember")
    public record HouseholdMember(@NonNull String cardNumber, @NonNull Instant joinedAt) {
    }

    @Type("HouseholdInvitation")
    public record HouseholdInvitation(@Id @NonNull String id, @Id @NonNull String householdId, @NonNull String inviteeCardNumber,
            @NonNull String invitedByCardNumber, @NonNull InvitationStatus status, @NonNull Instant createdAt) {

        static final String SELECT = """
                select i.id, i.household_id, e.card_number as invitee, b.card_number as inviter, i.status, i.created_at
                from household_invitations i join members e on e.id = i.invitee_id join members b on b.id = i.invited_by
                """;

        static HouseholdInvitation from(Row row) {
            return new HouseholdInvitation(row.getUUID("id").toString(), row.getUUID("household_id").toString(),
                    CardTokens.display(row.getString("invitee")), CardTokens.display(row.getString("inviter")), InvitationStatus.valueOf(row.getString("status")),
                    row.getOffsetDateTime("created_at").toInstant());
        }
    }

    @Type("Household")
    @Description("Members who pool points: transfers among them post at once, no acceptance needed.")
    public record Household(@Id @NonNull String id, @NonNull List<@NonNull HouseholdMember> members,
            @NonNull @Description("Invitations sent and not yet answered.") List<@NonNull HouseholdInvitation> pendingInvitations,
            int maxMembers) {
    }

    @Type("MyHousehold")
    public record MyHousehold(@Description("Empty when the member belongs to no household.") Household household,
            @NonNull @Description("Invitations to this member waiting for joinHousehold or declineHouseholdInvitation.")
            List<@NonNull HouseholdInvitation> invitationsReceived) {
    }

    @Type("HouseholdPayload")
    public record HouseholdPayload(Household household, @NonNull List<@NonNull UserError> userErrors) {
        static HouseholdPayload ok(Household household) {
            return new HouseholdPayload(household, List.of());
        }

        static HouseholdPayload failed(List<UserError> errors) {
            return new HouseholdPayload(null, errors);
        }
    }

    @Type("HouseholdInvitationPayload")
    public record InvitationPayload(HouseholdInvitation invitation, @NonNull List<@NonNull UserError> userErrors) {
        static InvitationPayload ok(HouseholdInvitation invitation) {
            return new InvitationPayload(invitation, List.of());
        }

        static InvitationPayload failed(List<UserError> errors) {
            return new InvitationPayload(null, errors);
        }
    }

    @Type("PointsTransferPayload")
    public record TransferPayload(PointsTransfer transfer, @NonNull List<@NonNull UserError> userErrors) {
        static TransferPayload ok(PointsTransfer transfer) {
            return new TransferPayload(transfer, List.of());
        }

        static TransferPayload failed(List<UserError> errors) {
            return new TransferPayload(null, errors);
        }
    }

    @Input("CreateHouseholdInput")
    public static class CreateHouseholdInput {
        @NonNull
        public String idempotencyKey;
    }

    @Input("InviteToHouseholdInput")
    public static class InviteInput {
        @NonNull
        public String idempotencyKey;
        @NonNull
        public String cardNumber;
    }

    @Input("HouseholdInvitationInput")
    @Description("Answers an invitation: joinHousehold accepts it, declineHouseholdInvitation declines it.")
    public static class InvitationAnswerInput {
        @NonNull
        public String idempotencyKey;
        @Id
        @NonNull
        public String invitationId;
    }

    @Input("LeaveHouseholdInput")
    public static class LeaveHouseholdInput {
        @NonNull
        public String idempotencyKey;
    }

    @Input("TransferPointsInput")
    public static class TransferPointsInput {
        @NonNull
        public String idempotencyKey;
        @NonNull
        public String toCardNumber;
        public int points;
        @Description("At most 280 characters, shown to the recipient.")
        public String message;
    }

    @Input("PointsTransferAnswerInput")
    @Description("Answers an offer: acceptPointsTransfer accepts it, declinePointsTransfer declines it.")
    public static class TransferAnswerInput {
        @NonNull
        public String idempotencyKey;
        @Id
        @NonNull
        public String transferId;
    }

    @Input("ReverseTransferInput")
    public static class ReverseTransferInput {
        @NonNull
        public String idempotencyKey;
        @Id
        @NonNull
        public String transferId;
        @NonNull
        public String reason;
    }

    private static Instant instant(Row row, String column) {
        return row.getOffsetDateTime(column) == null ? null : row.getOffsetDateTime(column).toInstant();
    }

    private static String text(Row row, String column) {
        return row.getUUID(column) == null ? null : row.getUUID(column).toString();
    }
}
