package org.coalition.gateway.shared;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Typed configuration of the gateway (prefix {@code coalition}). */
@ConfigMapping(prefix = "coalition")
public interface CoalitionConfig {

    Contracts contracts();

    Operator operator();

    Demo demo();

    Tenancy tenancy();

    EmbeddedDatabase embeddedDatabase();

    /** Read by devdb.EmbeddedDatabaseConfigSourceFactory before the application starts; declared here so it is documented and validated. */
    interface EmbeddedDatabase {
        @WithDefault("false")
        boolean enabled();

        @WithDefault("55432")
        int port();

        @WithDefault("target/embedded-postgres")
        String dataDir();
    }

    interface Tenancy {
        /**
         * Claims that name a partner's OIDC client, first present wins. Coalition IdPs put it in azp
         * (or client_id); the dev OIDC server has no such claim, so dev mode also reads sub.
         */
        @WithDefault("azp,client_id")
        java.util.List<String> clientIdClaims();
    }

    interface Contracts {
        /** Directory of partner contract YAML files; production mounts it from a ConfigMap. */
        @WithDefault("partner-contracts")
        String dir();

        /** How often the directory is read again, so that a suspension or a new rate needs no restart. */
        @WithDefault("30s")
        Duration reloadInterval();
    }

    /** The coalition operator is a settlement party of its own, configured here rather than by a brand contract. */
    interface Operator {
        @WithDefault("coalition-operator")
        String partnerId();

        @WithDefault("Coalition Operator")
        String name();
    }

    interface Demo {
        /** Loads demo members with points at start; dev mode only. */
        @WithDefault("false")
        boolean enabled();
    }

    /** How far in the future a purchase's occurredAt may lie, for till clocks that run fast. */
    @WithDefault("PT5M")
    Duration clockSkewAllowance();
}
