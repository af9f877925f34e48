package org.coalition.gateway.shared;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.microprofile.config.ConfigProvider;

import graphql.GraphQL;
import graphql.analysis.QueryTraverser;
import graphql.analysis.QueryVisitorFieldEnvironment;
import graphql.analysis.QueryVisitorStub;
import graphql.execution.AbortExecutionException;
import graphql.execution.ExecutionContext;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.execution.instrumentation.Instrumentation;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.ExecutionResult;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.graphql.spi.EventingService;

/**
 * How deep and how large one GraphQL operation may be: {@link CoalitionConfig.GraphQlLimits}.
 * graphql-java's own depth and complexity instrumentations (smallrye's {@code instrumentation-query-*} settings) walk
 * the whole document on every request, 4 % of the gateway's CPU per earn; a POS sends the same few documents all
 * day, so an operation found within the limits is remembered and not walked again. Registered with smallrye-graphql
 * as an {@link EventingService} (META-INF/services), the one hook it offers on the {@link GraphQL} it builds.
 */
public class QueryLimits implements EventingService {

    /** Documents remembered at most; past it the memory starts over, so a flood of one-off documents costs only walks. */
    static final int REMEMBERED_OPERATIONS = 10_000;

    @Override
    public String getConfigKey() {
        return null; // always on
    }

    @Override
    public GraphQL.Builder beforeGraphQLBuild(GraphQL.Builder builder) {
        // The builder holds smallrye's chain (its query cache among it) but does not show it: build once to read it.
        // The check joins that chain rather than wrapping it, so each field's callbacks pass one chain, not two.
        Instrumentation existing = builder.build().getInstrumentation();
        List<Instrumentation> chain = new ArrayList<>(existing instanceof ChainedInstrumentation chained
                ? chained.getInstrumentations() : List.of(existing));
        // made by ServiceLoader, not CDI: the typed configuration is looked up rather than injected
        CoalitionConfig.GraphQlLimits limits = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class)
                .getConfigMapping(CoalitionConfig.class).graphql();
        chain.add(new Check(limits.maxDepth(), limits.maxComplexity()));
        return builder.instrumentation(new ChainedInstrumentation(chain));
    }

    /** The size of one operation as the limits measure it. */
    record Size(int depth, int complexity) {
    }

    static final class Check extends SimplePerformantInstrumentation {

        private final int maxDepth;
        private final int maxComplexity;
        private final Map<String, Boolean> withinLimits = new ConcurrentHashMap<>();

        Check(int maxDepth, int maxComplexity) {
            this.maxDepth = maxDepth;
            this.maxComplexity = maxComplexity;
        }

        @Override
        public InstrumentationContext<ExecutionResult> beginExecuteOperation(InstrumentationExecuteOperationParameters parameters,
                InstrumentationState state) {
            ExecutionContext execution = parameters.getExecutionContext();
            String query = execution.getExecutionInput().getQuery();
            // @skip and @include make the size depend on the variables: such documents are measured every time.
            boolean sizeDependsOnVariables = query.contains("@skip") || query.contains("@include");
            String key = execution.getOperationDefinition().getName() + '\u0000' + query;
            if (sizeDependsOnVariables || !withinLimits.containsKey(key)) {
                enforce(measure(execution));
                remember(key, sizeDependsOnVariables);
            }
            return super.beginExecuteOperation(parameters, state);
        }

        private void enforce(Size size) {
            if (size.depth() > maxDepth) {
                throw new AbortExecutionException("maximum query depth exceeded " + size.depth() + " > " + maxDepth);
            }
            if (size.complexity() > maxComplexity) {
                throw new AbortExecutionException("maximum query complexity exceeded " + size.complexity() + " > " + maxComplexity);
            }
        }

        private void remember(String key, boolean sizeDependsOnVariables) {
            if (sizeDependsOnVariables) {
                return;
            }
            if (withinLimits.size() >= REMEMBERED_OPERATIONS) {
                withinLimits.clear();
            }
            withinLimits.put(key, Boolean.TRUE);
        }

        static Size measure(ExecutionContext execution) {
            QueryTraverser traverser = QueryTraverser.newQueryTraverser()
                    .schema(execution.getGraphQLSchema())
                    .document(execution.getDocument())
                    .operationName(execution.getOperationDefinition().getName())
                    .coercedVariables(execution.getCoercedVariables())
                    .build();
            int[] depthAndFields = new int[2];
            traverser.visitPreOrder(new QueryVisitorStub() {
                @Override
                public void visitField(QueryVisitorFieldEnvironment field) {
                    depthAndFields[0] = Math.max(depthAndFields[0], levelOf(field));
                    if (!field.isTypeNameIntrospectionField()) {
                        depthAndFields[1]++;
                    }
                }
            });
            return new Size(depthAndFields[0], depthAndFields[1]);
        }

        private static int levelOf(QueryVisitorFieldEnvironment field) {
            int level = 1;
            for (QueryVisitorFieldEnvironment parent = field.getParentEnvironment(); parent != null; parent = parent.getParentEnvironment()) {
                level++;
            }
            return level;
        }
    }
}
