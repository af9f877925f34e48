package org.coalition.gateway.shared;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.DataFetchingFieldSelectionSet;
import graphql.schema.DelegatingDataFetchingEnvironment;
import graphql.schema.SelectedField;
import io.quarkus.smallrye.graphql.runtime.spi.datafetcher.QuarkusUniDataFetcher;
import io.smallrye.graphql.execution.datafetcher.PlugableBatchableDataFetcher;
import io.smallrye.graphql.schema.model.Operation;
import io.smallrye.graphql.schema.model.Type;
import io.smallrye.graphql.spi.DataFetcherService;

/**
 * Runs our operations (the {@code Uni} resolvers: every query, mutation and {@code @Source} field of the API) through
 * Quarkus's own fetcher, with two costs taken out that smallrye-graphql pays on every request and nobody here uses
 * (bench/README.md, "Session 13"):
 *
 * <ul>
 * <li>Before each resolver, smallrye builds its {@code Context}, and with it the field's whole selection as JSON,
 * twice (with and without source fields), from graphql-java's normalized operation: 9 % of the gateway's CPU per
 * earn. Here smallrye sees an empty selection instead. Nothing in this gateway reads a selection
 * ({@code OperationFetchingTest} fails if code under src/main starts to): an operation that needs its selection must be
 * left to Quarkus's fetcher, by {@link #getUniDataFetcher} answering {@code null} for it.</li>
 * <li>For a batched {@code @Source} field, smallrye asks for a new fetcher on every request (and so looks up the
 * resolver's classes and method again): 1.5 %. Here each operation has one fetcher, as every other field already has;
 * smallrye keeps making its data loaders per request.</li>
 * </ul>
 *
 * <p>Everything else (running on the event loop or a worker, the request context, errors, the result's
 * transformation) is Quarkus's {@link QuarkusUniDataFetcher}, unchanged. Registered like {@link PlainFieldFetching}
 * (META-INF/services, priority 0 before Quarkus's 1).
 */
public class OperationFetching implements DataFetcherService {

    private final Map<OperationOnType, PlugableBatchableDataFetcher<?, ?>> fetchers = new ConcurrentHashMap<>();

    @Override
    public Integer getPriority() {
        return 0;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public PlugableBatchableDataFetcher getUniDataFetcher(Operation operation, Type type) {
        return fetchers.computeIfAbsent(new OperationOnType(operation, type), key -> new UniOperationFetcher<>(operation, type));
    }

    /** Keyed by identity: the schema model's instances, made once at start-up. */
    private record OperationOnType(Operation operation, Type type) {
        @Override
        public boolean equals(Object other) {
            return other instanceof OperationOnType that && operation == that.operation && type == that.type;
        }

        @Override
        public int hashCode() {
            return 31 * System.identityHashCode(operation) + System.identityHashCode(type);
        }
    }

    static final class UniOperationFetcher<K, T> extends QuarkusUniDataFetcher<K, T> {

        UniOperationFetcher(Operation operation, Type type) {
            super(operation, type);
        }

        @Override
        public T get(DataFetchingEnvironment environment) throws Exception {
            return super.get(new WithoutSelection(environment));
        }
    }

    /** The field's environment as graphql-java made it, except that it selects nothing. */
    static final class WithoutSelection extends DelegatingDataFetchingEnvironment {

        WithoutSelection(DataFetchingEnvironment environment) {
            super(environment);
        }

        @Override
        public DataFetchingFieldSelectionSet getSelectionSet() {
            return NOTHING_SELECTED;
        }
    }

    static final DataFetchingFieldSelectionSet NOTHING_SELECTED = new DataFetchingFieldSelectionSet() {
        @Override
        public boolean contains(String fieldGlobPattern) {
            return false;
        }

        @Override
        public boolean containsAnyOf(String fieldGlobPattern, String... fieldGlobPatterns) {
            return false;
        }

        @Override
        public boolean containsAllOf(String fieldGlobPattern, String... fieldGlobPatterns) {
            return false;
        }

        @Override
        public List<SelectedField> getFields() {
            return List.of();
        }

        @Override
        public List<SelectedField> getImmediateFields() {
            return List.of();
        }

        @Override
        public List<SelectedField> getFields(String fieldGlobPattern, String... fieldGlobPatterns) {
            return List.of();
        }

        @Override
        public Map<String, List<SelectedField>> getFieldsGroupedByResultKey() {
            return Map.of();
        }

        @Override
        public Map<String, List<SelectedField>> getFieldsGroupedByResultKey(String fieldGlobPattern, String... fieldGlobPatterns) {
            return Map.of();
        }
    };
}
