package org.coalition.gateway.shared;

import graphql.schema.DataFetcher;
import graphql.schema.FieldCoordinates;
import graphql.schema.GraphQLSchema;

/** The fetcher the running schema uses for a field, for tests of who fetches what. */
final class SchemaFetchers {

    private SchemaFetchers() {
    }

    static DataFetcher<?> of(GraphQLSchema schema, String type, String field) {
        return schema.getCodeRegistry().getDataFetcher(FieldCoordinates.coordinates(type, field),
                schema.getObjectType(type).getFieldDefinition(field));
    }
}
