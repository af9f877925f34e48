package org.coalition.gateway.reversal;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

@Input("ReverseTransactionInput")
public class ReverseTransactionInput {
    @NonNull
    public String idempotencyKey;
    @Id
    @NonNull
    public String transactionId;
    @Description("Partial reversal; defaults to everything still reversible.")
    public Integer points;
    public String reason;
}
