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
        @Description("The card's last four digits behind a mask (****0017); the whole number only in enrollMember's answer.")
        @NonNull String cardNumber,
        @Description("Posted points.") int balance,
        @Description("Points held by active redemption holds.") int held,
        @Description("balance - held: what can be redeemed now.") int available,
        @NonNull Instant enrolledAt) {

    /** @param cardToken the stored card token ({@link CardTokens}), shown masked */
    public static Member of(UUID id, String cardToken, long balance, long held, Instant enrolledAt) {
        return new Member(id.toString(), CardTokens.display(cardToken), Math.toIntExact(balance), Math.toIntExact(held),
                Math.toIntExact(balance - held), enrolledAt);
    }

    /** The same member showing the whole card number: only where the caller just gave or was given it. */
    public Member withCardNumber(String wholeCardNumber) {
        return new Member(id, wholeCardNumber, balance, held, available, enrolledAt);
    }

    @Ignore
    public UUID memberId() {
        return UUID.fromString(id);
    }
}
