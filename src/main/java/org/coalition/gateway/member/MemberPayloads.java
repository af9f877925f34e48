package org.coalition.gateway.member;

import java.util.List;

import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import org.coalition.gateway.shared.UserError;

/** Payloads of the member mutations. */
public final class MemberPayloads {

    private MemberPayloads() {
    }

    @Type("EnrollMemberPayload")
    public record EnrollMemberPayload(Member member, @NonNull List<@NonNull UserError> userErrors) {
        static EnrollMemberPayload enrolled(Member member) {
            return new EnrollMemberPayload(member, List.of());
        }

        static EnrollMemberPayload failed(List<UserError> errors) {
            return new EnrollMemberPayload(null, errors);
        }
    }

    @Type("ClaimMembershipPayload")
    public record ClaimMembershipPayload(Member member, @NonNull List<@NonNull UserError> userErrors) {
        static ClaimMembershipPayload claimed(Member member) {
            return new ClaimMembershipPayload(member, List.of());
        }

        static ClaimMembershipPayload failed(List<UserError> errors) {
            return new ClaimMembershipPayload(null, errors);
        }
    }

    @Type("IssuerPoints")
    public record IssuerPoints(@NonNull org.coalition.gateway.partner.Partner partner, int points) {
    }
}
