package org.coalition.gateway.tenancy;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/**
 * Refuses to start when the gateway's database role would bypass row-level security (a superuser, a
 * BYPASSRLS role, or the tables' owner): tenancy would then silently rest on the resolvers alone.
 */
@ApplicationScoped
public class RowSecurityGuard {

    private static final String ROLE_CHECK = """
            select current_user as role, r.rolsuper or r.rolbypassrls as bypasses,
                   exists (select 1 from pg_tables t where t.schemaname = 'public' and t.tableowner = current_user) as owns_tables
            from pg_roles r where r.rolname = current_user
            """;

    private final Pool pool;

    public RowSecurityGuard(Pool pool) {
        this.pool = pool;
    }

    void onStart(@Observes @Priority(1000) StartupEvent event) {
        Row role = pool.query(ROLE_CHECK).execute().await().indefinitely().iterator().next();
        if (role.getBoolean("bypasses") || role.getBoolean("owns_tables")) {
            throw new IllegalStateException("The gateway connects to PostgreSQL as '" + role.getString("role")
                    + "', which bypasses row-level security (superuser, BYPASSRLS or table owner). Connect as the"
                    + " application role (DB_USER, default coalition_app) and migrate as the owner (DB_OWNER_USER).");
        }
    }
}
