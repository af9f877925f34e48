package org.coalition.gateway.member;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

@Input("EnrollMemberInput")
public class EnrollMemberInput {
    @NonNull
    public String idempotencyKey;
    @Description("Optional: a pre-printed card number; generated when absent.")
    public String cardNumber;
}
