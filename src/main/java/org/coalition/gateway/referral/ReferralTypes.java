package org.coalition.gateway.referral;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import org.coalition.gateway.shared.UserError;

/** GraphQL shapes of referrals. */
public final class ReferralTypes {

    private ReferralTypes() {
    }

    @Type("ReferralCode")
    @Description("The calling member's code to pass on, and how it has been used.")
    public record ReferralCode(@NonNull String code, @Description("Members who applied it.") int referred,
            @Description("Of them, those whose first qualifying earn paid both of you.") int rewarded,
            @Description("How many more members may still apply it.") int remaining,
            @Description("What you get per friend, on their first qualifying earn.") int referrerPoints,
            @Description("What your friend gets, on the same earn.") int referredPoints) {
    }

    @Input("ApplyReferralCodeInput")
    public static class ApplyReferralCodeInput {
        @NonNull
        public String idempotencyKey;
        @NonNull
        @Description("A friend's code; only before your first earn.")
        public String code;
    }

    @Type("ApplyReferralCodePayload")
    public record ApplyReferralCodePayload(boolean applied, @NonNull List<@NonNull UserError> userErrors) {
        static ApplyReferralCodePayload ok() {
            return new ApplyReferralCodePayload(true, List.of());
        }

        static ApplyReferralCodePayload failed(List<UserError> errors) {
            return new ApplyReferralCodePayload(false, errors);
        }
    }
}
