package org.coalition.gateway.shared;

import org.eclipse.microprofile.graphql.Type;

@Type("PageInfo")
public record PageInfo(boolean hasNextPage, String endCursor) {
}
