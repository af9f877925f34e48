package org.coalition.gateway.ledger;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

@Input("TransactionFilter")
public class TransactionFilter {
    public List<@NonNull TransactionKind> kinds;
    @Id
    public String partnerId;
    @Description("Transactions that occurred at or after this instant.")
    public Instant from;
    @Description("Transactions that occurred before this instant.")
    public Instant to;
}
