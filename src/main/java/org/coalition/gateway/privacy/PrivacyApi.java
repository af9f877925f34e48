package org.coalition.gateway.privacy;

import java.util.List;

import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.member.CardKeyRotation;
import org.coalition.gateway.member.CardKeyRotation.CardKeyRotationStatus;
import org.coalition.gateway.member.Member;
import org.coalition.gateway.operations.OperationMetrics;
import org.coalition.gateway.privacy.PrivacyTypes.Consent;
import org.coalition.gateway.privacy.PrivacyTypes.ConsentPayload;
import org.coalition.gateway.privacy.PrivacyTypes.DecideRetentionReviewInput;
import org.coalition.gateway.privacy.PrivacyTypes.EraseMemberInput;
import org.coalition.gateway.privacy.PrivacyTypes.EraseMyAccountInput;
import org.coalition.gateway.privacy.PrivacyTypes.ErasurePayload;
import org.coalition.gateway.privacy.PrivacyTypes.PersonalDataRead;
import org.coalition.gateway.privacy.PrivacyTypes.RecordConsentInput;
import org.coalition.gateway.privacy.PrivacyTypes.RetentionReview;
import org.coalition.gateway.privacy.PrivacyTypes.RetentionReviewPayload;
import org.coalition.gateway.privacy.PrivacyTypes.SetConsentInput;
import org.coalition.gateway.shared.InvalidArgument;
import org.coalition.gateway.shared.MutationBudget;
import org.coalition.gateway.shared.Refusal;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.CallerAugmentor;
import org.coalition.gateway.tenancy.CurrentCaller;
import org.coalition.gateway.tenancy.ExplainedRefusals;

/** Members' privacy rights: consent, their data, erasure; operators' side of them; partners recording consent. */
@GraphQLApi
@ExplainedRefusals
@OperationMetrics
@MutationBudget
public class PrivacyApi {

    private final ConsentService consents;
    private final ErasureService erasures;
    private final PrivacyService privacy;
    private final CurrentCaller caller;
    private final CardKeyRotation rotation;

    public PrivacyApi(ConsentService consents, ErasureService erasures, PrivacyService privacy, CurrentCaller caller,
            CardKeyRotation rotation) {
        this.rotation = rotation;
        this.consents = consents;
        this.erasures = erasures;
        this.privacy = privacy;
        this.caller = caller;
    }

    // ------------------------------------------------------------------ the member

    @Mutation("setConsent")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @Description("Give or withdraw consent for one purpose; it counts from this answer on.")
    public @NonNull Uni<ConsentPayload> setConsent(@NonNull @Name("input") SetConsentInput input) {
        return caller.get().flatMap(c -> consents.set(c, input));
    }

    @Mutation("eraseMyAccount")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @Description("Erase the calling member's account: holds voided, points forfeited or donated, personal data deleted. Final.")
    public @NonNull Uni<ErasurePayload> eraseMyAccount(@NonNull @Name("input") EraseMyAccountInput input) {
        return caller.get().flatMap(c -> erasures.eraseMine(c, input));
    }

    @Description("The member's current consents (the member and operators only).")
    public @NonNull Uni<List<@NonNull Consent>> consents(@Source Member member) {
        return ownerOrOperator().flatMap(c -> consents.current(member.memberId()));
    }

    @Description("Everything the coalition holds about the member, as a JSON document (the member and operators only; "
            + "an operator's export is logged).")
    public @NonNull Uni<String> dataExport(@Source Member member) {
        return ownerOrOperator().flatMap(c -> privacy.export(c, member.memberId())).map(found -> found.orElse("{}"));
    }

    @Description("Who read the member's personal data, newest first: partners, the settlement team, operators.")
    public @NonNull Uni<List<@NonNull PersonalDataRead>> personalDataReads(@Source Member member, @DefaultValue("50") int first) {
        return ownerOrOperator().flatMap(c -> privacy.reads(c, member.memberId(), first));
    }

    private Uni<Caller> ownerOrOperator() {
        return caller.get().invoke(c -> {
            if (!c.isMember() && c.kind() != Caller.Kind.OPERATOR) {
                throw new Refusal("visible to the member and operators only");
            }
        });
    }

    // ------------------------------------------------------------------ partners

    @Mutation("recordConsent")
    @PermissionsAllowed("consents:record")
    public @NonNull Uni<ConsentPayload> recordConsent(@NonNull @Name("input") RecordConsentInput input) {
        return caller.get().flatMap(c -> consents.record(c, input));
    }

    // ------------------------------------------------------------------ operators

    @Mutation("eraseMember")
    @PermissionsAllowed(CallerAugmentor.PRIVACY_MANAGE)
    public @NonNull Uni<ErasurePayload> eraseMember(@NonNull @Name("input") EraseMemberInput input) {
        return caller.get().flatMap(c -> erasures.eraseMember(c, input));
    }

    @Query("memberDataExport")
    @PermissionsAllowed(CallerAugmentor.PRIVACY_MANAGE)
    @Description("A member's data export for a request made to the operator; the read is logged.")
    public Uni<String> memberDataExport(@NonNull @Id @Name("memberId") String memberId) {
        return caller.get().flatMap(c -> privacy.export(c, parsed(memberId))).map(found -> found.orElse(null));
    }

    @Query("personalDataReads")
    @PermissionsAllowed(CallerAugmentor.PRIVACY_MANAGE)
    @Description("Reads of members' personal data, newest first; of one member when memberId is given.")
    public @NonNull Uni<List<@NonNull PersonalDataRead>> allPersonalDataReads(@Id @Name("memberId") String memberId,
            @DefaultValue("50") int first) {
        return caller.get().flatMap(c -> privacy.reads(c, memberId == null ? null : parsed(memberId), first));
    }

    @Query("retentionReviews")
    @PermissionsAllowed(CallerAugmentor.PRIVACY_MANAGE)
    @Description("Members inactive for longer than the retention period, waiting for a decision, oldest flag first.")
    public @NonNull Uni<List<@NonNull RetentionReview>> retentionReviews(@DefaultValue("50") int first) {
        return caller.get().flatMap(c -> privacy.openReviews(c, first));
    }

    @Query("cardKeyRotation")
    @PermissionsAllowed(CallerAugmentor.PRIVACY_MANAGE)
    @Description("How many cards are still stored under a previous card key: a previous key may be dropped at 0.")
    public @NonNull Uni<CardKeyRotationStatus> cardKeyRotation() {
        return rotation.status();
    }

    @Mutation("decideRetentionReview")
    @PermissionsAllowed(CallerAugmentor.PRIVACY_MANAGE)
    public @NonNull Uni<RetentionReviewPayload> decideRetentionReview(@NonNull @Name("input") DecideRetentionReviewInput input) {
        return caller.get().flatMap(c -> privacy.decide(c, input));
    }

    private static java.util.UUID parsed(String memberId) {
        try {
            return java.util.UUID.fromString(memberId);
        } catch (IllegalArgumentException e) {
            throw new InvalidArgument("memberId is not a member id");
        }
    }
}
