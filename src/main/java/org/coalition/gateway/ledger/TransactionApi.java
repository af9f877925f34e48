package org.coalition.gateway.ledger;

import java.util.Optional;
import java.util.UUID;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import io.quarkus.security.Authenticated;
import io.smallrye.graphql.api.Subscription;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.operations.OperationMetrics;
import org.coalition.gateway.shared.Refusal;
import org.coalition.gateway.tenancy.CurrentCaller;
import org.coalition.gateway.tenancy.ExplainedRefusals;

@GraphQLApi
@ExplainedRefusals
@OperationMetrics
public class TransactionApi {

    private final TransactionReads reads;
    private final CurrentCaller caller;
    private final LedgerEvents events;

    public TransactionApi(TransactionReads reads, CurrentCaller caller, LedgerEvents events) {
        this.reads = reads;
        this.caller = caller;
        this.events = events;
    }

    @Query("transaction")
    @Authenticated
    public Uni<PointTransaction> transaction(@NonNull @Id String id) {
        Optional<UUID> uuid = parseUuid(id);
        if (uuid.isEmpty()) {
            return Uni.createFrom().nullItem();
        }
        return caller.get().flatMap(c -> reads.find(c, uuid.get())).map(found -> found.orElse(null));
    }

    @Query("transactions")
    @Description("Transactions visible to the caller: a partner's own, a member's own, all for settlement.")
    @Authenticated
    @NonNull
    public Uni<TransactionConnection> transactions(TransactionFilter filter, Integer first, String after) {
        return caller.get().flatMap(c -> reads.page(c, null, filter, first, after));
    }

    @Subscription("transactionPosted")
    @Description("Transactions posted for the calling partner.")
    @Authenticated
    @NonNull
    public Multi<PointTransaction> transactionPosted() {
        return caller.get().onItem().transformToMulti(c -> {
            if (!c.isPartner()) {
                throw new Refusal("transactionPosted is a partner subscription");
            }
            return events.stream()
                    .select().where(event -> event.entryId().isPresent() && event.partnerId().orElse("").equals(c.partnerId()))
                    .onItem().transformToUniAndConcatenate(event -> reads.find(c, event.entryId().get()))
                    .select().where(java.util.Optional::isPresent)
                    .map(java.util.Optional::get);
        });
    }

    @Description("For a reversal: the transaction it reverses.")
    public Uni<PointTransaction> reverses(@Source PointTransaction transaction) {
        if (transaction.reversesId() == null) {
            return Uni.createFrom().nullItem();
        }
        return caller.get().flatMap(c -> reads.find(c, transaction.reversesId())).map(found -> found.orElse(null));
    }

    static Optional<UUID> parseUuid(String id) {
        try {
            return Optional.of(UUID.fromString(id));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
