package org.coalition.gateway.shared;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;

import graphql.GraphQLException;
import graphql.TrivialDataFetcher;
import graphql.schema.DataFetchingEnvironment;
import io.quarkus.logging.Log;
import io.smallrye.graphql.execution.datafetcher.PlugableDataFetcher;
import io.smallrye.graphql.execution.datafetcher.helper.FieldHelper;
import io.smallrye.graphql.schema.model.Field;
import io.smallrye.graphql.schema.model.Reference;
import io.smallrye.graphql.schema.model.Type;
import io.smallrye.graphql.spi.ClassloadingService;
import io.smallrye.graphql.spi.DataFetcherService;
import io.smallrye.graphql.transformation.AbstractDataFetcherException;

/**
 * Reads a plain field of a result object (a record component, a getter) the way smallrye-graphql does, without
 * building smallrye's per-field {@code Context} first. smallrye's own field fetcher builds that context for every
 * field of every response, and with it the field's selected sub-fields as JSON, twice: 4 % of the gateway's CPU per
 * earn (bench/README.md, "Session 11"), for a context that only an accessor injecting smallrye's {@code Context}
 * could read, and none of ours does (a resolver that needs it is an operation or a {@code @Source} field, which
 * {@link OperationFetching} runs with smallrye's context). Transformations and adapters (number and date formats,
 * {@code @AdaptWith}, maps) still run through smallrye's {@link FieldHelper}.
 *
 * <p>Registered with smallrye-graphql as a {@link DataFetcherService} (META-INF/services). Services are asked in
 * ascending priority; Quarkus's own is 1 and does not make field fetchers, so this one's 0 only decides plain fields.
 */
public class PlainFieldFetching implements DataFetcherService {

    @Override
    public Integer getPriority() {
        return 0;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public PlugableDataFetcher getFieldDataFetcher(Field field, Type type, Reference owner) {
        return new PlainFieldFetcher<>(field, owner);
    }

    static final class PlainFieldFetcher<T> implements PlugableDataFetcher<T>, TrivialDataFetcher<T> {

        private final Field field;
        private final Reference owner;
        private final FieldHelper helper;
        /** Found on first use, when the application's classes are loadable; a race only finds it twice. */
        private MethodHandle accessor;

        PlainFieldFetcher(Field field, Reference owner) {
            this.field = field;
            this.owner = owner;
            this.helper = new FieldHelper(field);
        }

        @Override
        @SuppressWarnings("unchecked")
        public T get(DataFetchingEnvironment environment) throws Exception {
            if (accessor == null) {
                accessor = accessor();
            }
            Object value;
            try {
                value = accessor.invoke((Object) environment.getSource());
            } catch (Exception | Error thrown) {
                throw thrown; // what the accessor threw, unwrapped (reflection would have wrapped it)
            } catch (Throwable other) {
                throw new GraphQLException(other);
            }
            try {
                return (T) helper.transformOrAdaptResponse(value, environment);
            } catch (AbstractDataFetcherException failure) {
                // as smallrye's own field fetcher: a value that cannot be transformed is answered as it is
                Log.debugf(failure, "field %s answered untransformed", field.getName());
                return (T) value;
            }
        }

        private MethodHandle accessor() {
            try {
                Class<?> ownerClass = ClassloadingService.get().loadClass(owner.getClassName());
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                MethodHandle handle = field.getMethodName() == null
                        ? lookup.unreflectGetter(ownerClass.getField(field.getPropertyName()))
                        : lookup.unreflect(ownerClass.getMethod(field.getMethodName()));
                return handle.asType(handle.type().generic());
            } catch (ReflectiveOperationException failure) {
                throw new GraphQLException(failure);
            }
        }
    }
}
