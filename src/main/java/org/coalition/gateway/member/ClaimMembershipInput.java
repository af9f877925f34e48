package org.coalition.gateway.member;

import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

@Input("ClaimMembershipInput")
public class ClaimMembershipInput {
    @NonNull
    public String idempotencyKey;
    @NonNull
    public String cardNumber;
}
