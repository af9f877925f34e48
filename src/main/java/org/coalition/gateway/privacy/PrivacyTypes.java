package org.coalition.gateway.privacy;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Enum;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import io.vertx.mutiny.sqlclient.Row;

import org.coalition.gateway.ledger.Channel;
import org.coalition.gateway.member.MemberRefInput;
import org.coalition.gateway.shared.UserError;

/** GraphQL shapes of consent, erasure, the personal-data read log and retention review (README, "Member privacy"). */
public final class PrivacyTypes {

    private PrivacyTypes() {
    }

    /** A member id given in an input; a malformed one names no member. */
    static java.util.UUID memberId(String value) {
        try {
            return java.util.UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw org.coalition.gateway.shared.BusinessFailure.of(org.coalition.gateway.shared.ErrorCode.MEMBER_NOT_FOUND,
                    "No member has this id", "input", "memberId");
        }
    }

    @Enum("ConsentPurpose")
    @Description("What a member may allow the coalition and its partners to use their data for. Nothing is allowed until given.")
    public enum ConsentPurpose {
        @Description("Campaigns and offers aimed at the member from their history (segments: new, lapsed, tier, club).")
        PERSONALISED_OFFERS,
        @Description("Figures about this member beyond aggregates over many members.")
        ANALYTICS,
        @Description("Marketing messages from one partner (give partnerId); each partner is asked on its own.")
        MARKETING_CONTACT
    }

    @Type("Consent")
    @Description("A member's current choice for one purpose, and when, where and by whom it was recorded.")
    public record Consent(@NonNull ConsentPurpose purpose, @Description("For MARKETING_CONTACT: the partner.") String partnerId,
            boolean granted, @NonNull Instant changedAt, @NonNull Channel channel,
            @NonNull @Description("MEMBER, or the partner that recorded it at its till.") String recordedBy) {

        static final String COLUMNS = "purpose, partner_id, granted, changed_at, channel, recorded_by";

        static Consent from(Row row) {
            String partner = row.getString("partner_id");
            return new Consent(ConsentPurpose.valueOf(row.getString("purpose")), partner.isEmpty() ? null : partner,
                    row.getBoolean("granted"), row.getOffsetDateTime("changed_at").toInstant(),
                    Channel.valueOf(row.getString("channel")), row.getString("recorded_by"));
        }
    }

    @Input("SetConsentInput")
    public static class SetConsentInput {
        @NonNull
        public String idempotencyKey;
        @NonNull
        public ConsentPurpose purpose;
        @Description("Required for MARKETING_CONTACT, absent otherwise.")
        public String partnerId;
        public boolean granted;
        @Description("Where the member chose; APP when absent.")
        public Channel channel;
    }

    @Input("RecordConsentInput")
    @Description("A consent (or its withdrawal) a member gave at the partner's till or in its app; MARKETING_CONTACT is the calling partner's.")
    public static class RecordConsentInput {
        @NonNull
        public String idempotencyKey;
        @NonNull
        public MemberRefInput member;
        @NonNull
        public ConsentPurpose purpose;
        public boolean granted;
        @NonNull
        public Channel channel;
        @Description("When the member gave it; now when absent. At most 30 days back.")
        public Instant givenAt;
    }

    @Type("ConsentPayload")
    public record ConsentPayload(@Description("All of the member's current choices.") List<@NonNull Consent> consents,
            @NonNull List<@NonNull UserError> userErrors) {
        static ConsentPayload of(List<Consent> consents) {
            return new ConsentPayload(consents, List.of());
        }

        static ConsentPayload failed(List<UserError> errors) {
            return new ConsentPayload(null, errors);
        }
    }

    @Enum("RemainingPoints")
    public enum RemainingPoints {
        @Description("Given up: booked to breakage like expired points.")
        FORFEIT,
        @Description("Given to the charity partner named in charityPartnerId.")
        DONATE
    }

    @Input("EraseMyAccountInput")
    public static class EraseMyAccountInput {
        @NonNull
        public String idempotencyKey;
        @DefaultValue("FORFEIT")
        public RemainingPoints remainingPoints = RemainingPoints.FORFEIT;
        @Description("For DONATE: the charity partner.")
        public String charityPartnerId;
    }

    @Input("EraseMemberInput")
    @Description("Erasure at a member's request made to the operator (by letter, phone, e-mail).")
    public static class EraseMemberInput {
        @NonNull
        public String idempotencyKey;
        @NonNull
        @Id
        public String memberId;
        @DefaultValue("FORFEIT")
        public RemainingPoints remainingPoints = RemainingPoints.FORFEIT;
        public String charityPartnerId;
    }

    @Enum("ErasureRequester")
    public enum ErasureRequester {
        MEMBER,
        OPERATOR,
        @Description("An operator's decision on a retention review.")
        RETENTION
    }

    @Type("Erasure")
    @Description("The receipt of an erasure: the member's personal data is gone; the ledger keeps their (now anonymous) id.")
    public record Erasure(@Id @NonNull String memberId, @NonNull Instant erasedAt, @NonNull ErasureRequester requestedBy,
            int pointsForfeited, int pointsDonated, String donatedTo, int holdsVoided) {

        static final String COLUMNS = "member_id, erased_at, requested_by, points_forfeited, points_donated, donated_to, holds_voided";

        static Erasure from(Row row) {
            return new Erasure(row.getUUID("member_id").toString(), row.getOffsetDateTime("erased_at").toInstant(),
                    ErasureRequester.valueOf(row.getString("requested_by")), row.getInteger("points_forfeited"),
                    row.getInteger("points_donated"), row.getString("donated_to"), row.getInteger("holds_voided"));
        }
    }

    @Type("ErasurePayload")
    public record ErasurePayload(Erasure erasure, @NonNull List<@NonNull UserError> userErrors) {
        static ErasurePayload of(Erasure erasure) {
            return new ErasurePayload(erasure, List.of());
        }

        static ErasurePayload failed(List<UserError> errors) {
            return new ErasurePayload(null, errors);
        }
    }

    @Type("PersonalDataRead")
    @Description("One read of a member's personal data by a partner, the settlement team or an operator.")
    public record PersonalDataRead(@NonNull String readerKind, String partnerId,
            @Description("The operator's or settlement analyst's login; shown to operators only.") String readerSubject,
            @Id String memberId, @NonNull @Description("What was read, e.g. member, dataExport.") String what,
            @NonNull Instant readAt) {

        static final String COLUMNS = "member_id, reader_kind, reader_partner, reader_subject, what, read_at";

        static PersonalDataRead from(Row row, boolean forOperator) {
            return new PersonalDataRead(row.getString("reader_kind"), row.getString("reader_partner"),
                    forOperator ? row.getString("reader_subject") : null, forOperator ? row.getUUID("member_id").toString() : null,
                    row.getString("what"), row.getOffsetDateTime("read_at").toInstant());
        }
    }

    @Enum("RetentionDecision")
    public enum RetentionDecision {
        @Description("Erase the member now; remaining points are forfeited.")
        ERASE,
        @Description("Keep the data (say why in note); the member is flagged again after another inactive period.")
        KEEP
    }

    @Type("RetentionReview")
    @Description("A member inactive for longer than the retention period, flagged for an operator to decide on.")
    public record RetentionReview(@Id @NonNull String memberId, @NonNull Instant flaggedAt, @NonNull Instant lastActiveAt,
            RetentionDecision decision, Instant decidedAt, String note) {

        static final String COLUMNS = "member_id, flagged_at, last_active_at, decision, decided_at, note";

        static RetentionReview from(Row row) {
            String decision = row.getString("decision");
            return new RetentionReview(row.getUUID("member_id").toString(), row.getOffsetDateTime("flagged_at").toInstant(),
                    row.getOffsetDateTime("last_active_at").toInstant(), decision == null ? null : RetentionDecision.valueOf(decision),
                    row.getOffsetDateTime("decided_at") == null ? null : row.getOffsetDateTime("decided_at").toInstant(),
                    row.getString("note"));
        }
    }

    @Input("DecideRetentionReviewInput")
    public static class DecideRetentionReviewInput {
        @NonNull
        public String idempotencyKey;
        @NonNull
        @Id
        public String memberId;
        @NonNull
        public RetentionDecision decision;
        @Description("Why the data is kept (required for KEEP), at most 500 characters.")
        public String note;
    }

    @Type("RetentionReviewPayload")
    public record RetentionReviewPayload(RetentionReview review, Erasure erasure, @NonNull List<@NonNull UserError> userErrors) {
        static RetentionReviewPayload failed(List<UserError> errors) {
            return new RetentionReviewPayload(null, null, errors);
        }
    }
}
