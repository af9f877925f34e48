package org.coalition.gateway.member;

import java.time.Instant;
import java.util.UUID;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

/** A member of the coalition as the API shows it; further fields are resolved in {@link MemberApi}. */
@Type("Member")
public record Member(
        @Id @NonNull String id,
        @NonNull String cardNumber,
        @Description("Posted points.") int balance,
        @Description("Points held by active redemption holds.") int held,
        @Description("balance - held: what can be redeemed now.") int available,
        @NonNull Instant enrolledAt) {

    public static Member of(UUID id, String cardNumber, long balance, long held, Instant enrolledAt) {
        return new Member(id.toString(), cardNumber, Math.toIntExact(balance), Math.toIntExact(held),
                Math.toIntExact(balance - held), enrolledAt);
    }

    @Ignore
    public UUID memberId() {
        return UUID.fromString(id);
    }
}
