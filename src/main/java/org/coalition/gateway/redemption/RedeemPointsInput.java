package org.coalition.gateway.redemption;

import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

import org.coalition.gateway.ledger.Channel;
import org.coalition.gateway.member.MemberRefInput;

@Input("RedeemPointsInput")
public class RedeemPointsInput {
    @NonNull
    public String idempotencyKey;
    @NonNull
    public MemberRefInput member;
    public int points;
    public Channel channel;
    public String partnerReference;
}
