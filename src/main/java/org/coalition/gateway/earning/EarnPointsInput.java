package org.coalition.gateway.earning;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

import org.coalition.gateway.ledger.Channel;
import org.coalition.gateway.member.MemberRefInput;

@Input("EarnPointsInput")
public class EarnPointsInput {
    @NonNull
    public String idempotencyKey;
    @NonNull
    public MemberRefInput member;
    @NonNull
    public BigDecimal purchaseAmount;
    @NonNull
    public String currency;
    @Description("Optional basket lines; their amounts must add up to purchaseAmount.")
    public List<@NonNull PurchaseLineInput> lines;
    public Channel channel;
    public String partnerReference;
    @Description("When the purchase happened; defaults to now. Selects the contract version.")
    public Instant occurredAt;
}
