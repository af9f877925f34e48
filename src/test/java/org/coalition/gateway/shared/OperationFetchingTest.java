package org.coalition.gateway.shared;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import graphql.schema.GraphQLSchema;
import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;

/** Operations run through {@link OperationFetching}: one fetcher each, and no selection built for smallrye's context. */
@GatewayTest
class OperationFetchingTest {

    /**
     * The ways to a field's selection that OperationFetching empties: smallrye's context, and graphql-java's field
     * selection in the environment smallrye keeps (not the document's own selection sets, which stay as they are).
     */
    private static final Pattern READS_A_SELECTION = Pattern.compile("getSelectedFields|getSelectedAndSourceFields"
            + "|DataFetchingFieldSelectionSet|getSelectionSet\\(\\)\\s*\\.\\s*(getFields|getImmediateFields|contains|getFieldsGroupedByResultKey)");

    @Inject
    GraphQLSchema schema;

    @Test
    void queriesMutationsAndSourceFieldsRunThroughIt() {
        assertInstanceOf(OperationFetching.UniOperationFetcher.class, fetcher("Mutation", "earnPoints"));
        assertInstanceOf(OperationFetching.UniOperationFetcher.class, fetcher("Query", "me"));
        assertInstanceOf(OperationFetching.UniOperationFetcher.class, fetcher("Member", "pointsByIssuer"));
    }

    @Test
    void aBatchedSourceFieldAnswersRequestAfterRequest() {
        // PointTransaction.member is batched: smallrye asks for its loader's fetcher on every request, and gets one
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        for (int request = 0; request < 3; request++) {
            JsonPath result = Fixtures.earn(FRESHMART, Fixtures.earnInput(member, "10.00"));
            assertEquals(List.of(), result.getList("data.earnPoints.userErrors"), result::prettify);
            assertEquals(member.id(), result.getString("data.earnPoints.transaction.member.id"), result::prettify);
        }
    }

    @Test
    void noCodeReadsTheSelectionThatSmallRyeNoLongerBuilds() throws IOException {
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            List<Path> readers = sources.filter(path -> path.toString().endsWith(".java"))
                    .filter(path -> !path.endsWith(Path.of("shared", "OperationFetching.java")))
                    .filter(OperationFetchingTest::readsASelection).toList();
            assertEquals(List.of(), readers, "these read a field's selection, which OperationFetching leaves empty for "
                    + "operations: leave an operation that needs it to Quarkus's fetcher (getUniDataFetcher answers null)");
        }
    }

    private static boolean readsASelection(Path source) {
        try {
            return READS_A_SELECTION.matcher(Files.readString(source)).find();
        } catch (IOException failure) {
            throw new IllegalStateException(failure);
        }
    }

    private Object fetcher(String type, String field) {
        return SchemaFetchers.of(schema, type, field);
    }
}
