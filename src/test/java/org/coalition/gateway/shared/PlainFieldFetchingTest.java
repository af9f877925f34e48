package org.coalition.gateway.shared;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import graphql.schema.GraphQLSchema;
import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;

/** Plain fields are read by {@link PlainFieldFetching}; operations keep smallrye's context ({@link OperationFetching}). */
@GatewayTest
class PlainFieldFetchingTest {

    @Inject
    GraphQLSchema schema;

    @Test
    void plainFieldsAreReadWithoutSmallRyesPerFieldContext() {
        for (String field : List.of("points", "postedAt", "purchaseAmount", "kind", "channel")) {
            assertInstanceOf(PlainFieldFetching.PlainFieldFetcher.class, fetcher("PointTransaction", field), field);
        }
    }

    @Test
    void operationsAndSourceFieldsAreNotPlainFields() {
        assertFalse(fetcher("Mutation", "earnPoints") instanceof PlainFieldFetching.PlainFieldFetcher);
        assertFalse(fetcher("Query", "me") instanceof PlainFieldFetching.PlainFieldFetcher);
        assertFalse(fetcher("PointTransaction", "member") instanceof PlainFieldFetching.PlainFieldFetcher);
    }

    @Test
    void anEarnAnswersEveryKindOfPlainField() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);

        JsonPath result = Fixtures.earn(FRESHMART, Fixtures.earnInput(member, "12.34"));

        assertEquals(List.of(), result.getList("data.earnPoints.userErrors"), result::prettify);
        String transaction = "data.earnPoints.transaction.";
        assertEquals("EARN", result.getString(transaction + "kind"));
        assertTrue(result.getInt(transaction + "points") > 0, result::prettify);
        assertEquals("12.34", result.getString(transaction + "purchaseAmount"));
        assertEquals("EUR", result.getString(transaction + "currency"));
        assertNotNull(Instant.parse(result.getString(transaction + "postedAt")));
        assertEquals(member.id(), result.getString(transaction + "member.id"));
        assertEquals(result.getInt(transaction + "points"), result.getInt("data.earnPoints.member.balance"));
    }

    private Object fetcher(String type, String field) {
        return SchemaFetchers.of(schema, type, field);
    }
}
