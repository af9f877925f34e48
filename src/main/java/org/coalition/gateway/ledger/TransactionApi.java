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
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.tenancy.CurrentCaller;

@GraphQLApi
public class TransactionApi {

    private final TransactionReads reads;
    private final CurrentCaller caller;

    public TransactionApi(TransactionReads reads, CurrentCaller caller) {
        this.reads = reads;
        this.caller = caller;
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
