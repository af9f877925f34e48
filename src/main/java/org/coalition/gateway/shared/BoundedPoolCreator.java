package org.coalition.gateway.shared;

import java.util.concurrent.TimeUnit;

import jakarta.inject.Singleton;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.spi.PgDriver;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/**
 * The reactive pool as Quarkus configures it (quarkus.datasource.reactive.*), plus the waits it has no setting
 * for. Vert.x's defaults would let a request wait 60 s for a connection attempt to a silent host, 30 s for a
 * pooled connection, in a queue of any length. (With a creator Quarkus hands over fixed connect options, so a
 * datasource credentials provider would no longer be asked; the gateway has none.)
 */
@Singleton
public class BoundedPoolCreator implements PgPoolCreator {

    static final int PREPARED_STATEMENT_SQL_LIMIT = 64 * 1024;

    private final CoalitionConfig.DatabaseLimits limits;

    public BoundedPoolCreator(CoalitionConfig config) {
        this.limits = config.database();
    }

    @Override
    public Pool create(Input input) {
        PoolOptions pool = input.poolOptions()
                .setConnectionTimeout((int) limits.acquisitionTimeout().toMillis())
                .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
                .setMaxWaitQueueSize(limits.maxWaitQueueSize());
        for (PgConnectOptions connect : input.pgConnectOptionsList()) {
            connect.setConnectTimeout((int) limits.connectTimeout().toMillis())
                    // GroupCommit's statements for a batch of earns run to a few thousand characters; Vert.x caches
                    // none longer than 2,048 by default, and would parse them again for every batch.
                    .setPreparedStatementCacheSqlLimit(PREPARED_STATEMENT_SQL_LIMIT);
        }
        return PgDriver.INSTANCE.createPool(input.vertx(), input.pgConnectOptionsList(), pool);
    }
}
