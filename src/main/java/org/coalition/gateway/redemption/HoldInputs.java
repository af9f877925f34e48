package org.coalition.gateway.redemption;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import org.coalition.gateway.member.Member;
import org.coalition.gateway.member.MemberRefInput;
import org.coalition.gateway.shared.UserError;

/** Inputs and payload of the two-phase redemption operations. */
public final class HoldInputs {

    private HoldInputs() {
    }

    @Input("AuthorizeRedemptionInput")
    public static class AuthorizeRedemptionInput {
        @NonNull
        public String idempotencyKey;
        @NonNull
        public MemberRefInput member;
        public int points;
        @Description("Defaults to 900 s; at most 7 days.")
        public Integer expiresInSeconds;
        public String partnerReference;
    }

    @Input("CaptureRedemptionInput")
    public static class CaptureRedemptionInput {
        @NonNull
        public String idempotencyKey;
        @Id
        @NonNull
        public String holdId;
        @Description("Partial capture: at most the held points; defaults to all of them. The rest is released.")
        public Integer points;
    }

    @Input("VoidRedemptionInput")
    public static class VoidRedemptionInput {
        @NonNull
        public String idempotencyKey;
        @Id
        @NonNull
        public String holdId;
    }

    @Type("RedemptionHoldPayload")
    public record RedemptionHoldPayload(RedemptionHold hold, Member member, @NonNull List<@NonNull UserError> userErrors) {
        static RedemptionHoldPayload of(RedemptionHold hold, Member member) {
            return new RedemptionHoldPayload(hold, member, List.of());
        }

        static RedemptionHoldPayload failed(List<UserError> errors) {
            return new RedemptionHoldPayload(null, null, errors);
        }
    }
}
