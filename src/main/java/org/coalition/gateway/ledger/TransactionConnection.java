package org.coalition.gateway.ledger;

import java.util.List;

import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import org.coalition.gateway.shared.PageInfo;

@Type("TransactionConnection")
public record TransactionConnection(@NonNull List<@NonNull TransactionEdge> edges, @NonNull PageInfo pageInfo) {

    @Type("TransactionEdge")
    public record TransactionEdge(@NonNull String cursor, @NonNull PointTransaction node) {
    }
}
