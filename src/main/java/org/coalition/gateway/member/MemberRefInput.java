package org.coalition.gateway.member;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Input;

@Input("MemberRefInput")
@Description("Exactly one of memberId and cardNumber.")
public class MemberRefInput {
    @Id
    public String memberId;
    public String cardNumber;

    public MemberRefInput() {
    }

    public MemberRefInput(String memberId, String cardNumber) {
        this.memberId = memberId;
        this.cardNumber = cardNumber;
    }
}
