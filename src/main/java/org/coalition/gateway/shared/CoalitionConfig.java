package org.coalition.gateway.shared;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Typed configuration of the gateway (prefix {@code coalition}). */
@ConfigMapping(prefix = "coalition")
public interface CoalitionConfig {

    Contracts contracts();

    Operator operator();

    Demo demo();

    Tenancy tenancy();

    Holds holds();

    Settlement settlement();

    Privacy privacy();

    /** Members' personal data (package {@code privacy}; README, "Member privacy"). */
    interface Privacy {
        /**
         * Key of the keyed hash (HMAC-SHA256) that card numbers are stored as, and of their sealed copies; at least
         * 32 characters. Required in production (COALITION_PRIVACY_CARD_KEY); dev and tests use a published default.
         * Rotating it: README, "Rotating the card key".
         */
        String cardKey();

        /**
         * Keys the card key had before, comma-separated (COALITION_PRIVACY_PREVIOUS_CARD_KEYS), same rules as
         * {@code card-key}: cards stored under them are still found and opened while {@code member.CardKeyRotation}
         * moves them to the current key. Drop one when {@code cardKeyRotation} reports nothing left under it.
         */
        Optional<List<String>> previousCardKeys();

        /** How often cards stored under a previous key are moved to the current key. */
        @WithDefault("1m")
        Duration cardRotationInterval();

        /** Cards moved per run at most, in one short transaction; the next run takes the rest. */
        @WithDefault("500")
        int cardRotationBatchSize();

        /** A member without any earn, redemption or other own action for this long is flagged for review. */
        @WithDefault("730d")
        Duration inactiveAfter();

        /** How often the inactive members are looked for. */
        @WithDefault("6h")
        Duration retentionInterval();

        /** Members flagged per run at most; the next run takes the rest. */
        @WithDefault("1000")
        int retentionBatchSize();
    }

    interface Settlement {
        /** Length of a settlement period: MONTHLY (calendar months, UTC) or WEEKLY (Monday to Monday, UTC). */
        @WithDefault("MONTHLY")
        String cycle();

        /** Currency of the operator's statement and of partners without records in a period. */
        @WithDefault("EUR")
        String currency();
    }

    Tiers tiers();

    interface Tiers {
        /** The coalition's tier program, beside the partner contracts (k8s mounts it from its own ConfigMap). */
        @WithDefault("${coalition.contracts.dir}/coalition/tiers.yaml")
        String file();

        /** Members reviewed per run of the yearly review at most; the next run takes the rest. */
        @WithDefault("1000")
        int reviewBatchSize();
    }

    Referrals referrals();

    /** What a referral pays, to whom, and who pays it (package {@code referral}). */
    interface Referrals {
        /** Points for the new member, on their first qualifying earn. */
        @WithDefault("250")
        int referredPoints();

        /** Points for the member whose code it was, on that same earn. */
        @WithDefault("500")
        int referrerPoints();

        /** OPERATOR or EARNING_PARTNER (the partner where the new member's first qualifying earn happens). */
        @WithDefault("OPERATOR")
        String fundedBy();

        /** The base points an earn must give to count as the first qualifying one. */
        @WithDefault("10")
        int minimumQualifyingPoints();

        /** Members one member may refer in all. */
        @WithDefault("10")
        int maxReferralsPerMember();
    }

    Clubs clubs();

    interface Clubs {
        /** The coalition's paid clubs, beside the partner contracts (k8s mounts them with the tier program). */
        @WithDefault("${coalition.contracts.dir}/coalition/clubs.yaml")
        String file();
    }

    Webhooks webhooks();

    /** Partner events and their webhook deliveries (package {@code webhook}; README, "Webhooks"). */
    interface Webhooks {
        /** Whether this replica delivers; every replica may, the endpoint leases keep them apart. */
        @WithDefault("true")
        boolean deliveryEnabled();

        /** How often a replica looks for endpoints with deliveries due. */
        @WithDefault("1s")
        Duration pollInterval();

        /**
         * When a replica has worked on this many GraphQL operations at once since its worker last looked (a burst at the
         * tills), the worker leaves new events for later and sends only those older than {@code max-deferral}: ledger
         * writes get the CPU first.
         */
        @WithDefault("16")
        int yieldAtOperationsInFlight();

        /** How long a busy replica may hold back an event; after that it is sent however busy the replica is. */
        @WithDefault("60s")
        Duration maxDeferral();

        /** A receiver must answer within this; a slow one fails the attempt, not other partners' deliveries. */
        @WithDefault("10s")
        Duration requestTimeout();

        @WithDefault("5s")
        Duration connectTimeout();

        /** Attempts of one delivery before it is dead-lettered (the partner can replay it). */
        @WithDefault("12")
        int maxAttempts();

        /** First retry delay; each further one doubles, up to {@code backoff-cap}, with jitter. */
        @WithDefault("10s")
        Duration backoffBase();

        @WithDefault("6h")
        Duration backoffCap();

        /** Consecutive failed attempts after which an endpoint's circuit opens. */
        @WithDefault("5")
        int breakerFailureThreshold();

        /** How long an open circuit stops attempts before one trial delivery. */
        @WithDefault("60s")
        Duration breakerDelay();

        /** How long a replica owns an endpoint without renewing; far longer than one request's timeout. */
        @WithDefault("60s")
        Duration leaseDuration();

        /** Endpoints one replica delivers to at the same time. */
        @WithDefault("32")
        int maxEndpointsInFlight();

        /** Deliveries sent under one lease before the endpoint is put back for any replica to take. */
        @WithDefault("100")
        int deliveriesPerLease();

        /** Endpoints per partner at most. */
        @WithDefault("16")
        int maxEndpointsPerPartner();

        /** Production refuses plain http endpoints. */
        @WithDefault("true")
        boolean requireHttps();

        /** Production refuses endpoints on loopback, private, link-local and other non-public addresses. */
        @WithDefault("false")
        boolean allowPrivateTargets();

        /** How far ahead of a lot's expiry its issuer hears PointsExpiring. */
        @WithDefault("14d")
        Duration pointsExpiringLead();

        /** Delivered deliveries and their events are kept this long. */
        @WithDefault("30d")
        Duration retention();
    }

    Idempotency idempotency();

    interface Idempotency {
        /**
         * How long a mutation's idempotency key is remembered. A retry within it replays the first outcome; after it
         * the same key is a new request. Far longer than any till's offline buffer or retry loop.
         */
        @WithDefault("30d")
        Duration retention();
    }

    Expiry expiry();

    Transfers transfers();

    /** Transfers between members and households (package {@code transfer}; README, "Transfers and households"). */
    interface Transfers {
        @WithDefault("10000")
        int maxPointsPerTransfer();

        /** Points one member may send per UTC day, offers still open included. */
        @WithDefault("20000")
        int maxPointsPerDay();

        /** How long the recipient of an offer outside a household has to accept it. */
        @WithDefault("7d")
        Duration offerTtl();

        @WithDefault("6")
        int maxHouseholdMembers();

        /** How often offers past their expiry are released. */
        @WithDefault("1m")
        Duration expiryInterval();

        /** Offers released per run at most. */
        @WithDefault("500")
        int expiryBatchSize();
    }

    GraphQlLimits graphql();

    /** What one GraphQL operation may ask for, enforced by {@link QueryLimits}. */
    interface GraphQlLimits {
        /** Levels of fields at most (real partner queries: 7). */
        @WithDefault("10")
        int maxDepth();

        /** Fields at most, {@code __typename} not counted (real partner queries: about 60). */
        @WithDefault("250")
        int maxComplexity();
    }

    DatabaseLimits database();

    /**
     * Bounds on waiting for PostgreSQL that Quarkus has no datasource setting for; applied to the reactive pool
     * by {@code shared.BoundedPoolCreator}. Together with the database circuit breaker they keep a request from
     * waiting long on a database that is down (README, "Database outages").
     */
    interface DatabaseLimits {
        /** Opening one connection; a database on the same network connects in milliseconds. */
        @WithDefault("2s")
        Duration connectTimeout();

        /** Waiting for a pooled connection when all of them are in use. */
        @WithDefault("4s")
        Duration acquisitionTimeout();

        /** Requests waiting for a pooled connection at most; one more is answered SERVICE_UNAVAILABLE at once. */
        @WithDefault("500")
        int maxWaitQueueSize();

        /**
         * A whole database call, pool queue included ({@link DatabaseBreaker}). Longer than the 5 s statement_timeout of
         * the gateway's role (V3), so that a slow statement is normally ended, and rolled back, by PostgreSQL first.
         */
        @WithDefault("6s")
        Duration callTimeout();

        /**
         * Earns (and redemptions) that share one statement and one commit at most ({@link GroupCommit}); 1 turns
         * batching off. Batches form only while every one of {@code group-commit-statements} is busy. Larger batches
         * cost PostgreSQL no less per earn and stretch the wait of the earns queued behind them: on two cores 16 gave
         * 1,505-1,579 earns/s with a p99 of 39 ms, 32 gave 1,220-1,387 with 50-58 ms (bench/README.md, "Session 8").
         */
        @WithDefault("16")
        int groupCommitMaxCalls();

        /**
         * Statements of earns (and, apart, of redemptions) in flight at once; more calls wait and go together in the
         * next. About the database's core count: fewer leaves its cores idle, more makes smaller batches. On two
         * cores 2 gave 1,386 earns/s, 4 gave 1,315 and 1 gave 1,085 (bench/README.md, "Session 8").
         */
        @WithDefault("2")
        int groupCommitStatements();

        /**
         * Statements of one kind of look-up in flight at once ({@link BatchedLookups}, a member's {@code me}); more
         * look-ups wait and go together in the next. 1 sends at most one at a time, and the most look-ups per statement.
         */
        @WithDefault("2")
        int readBatchStatements();
    }

    interface Holds {
        /** How long an authorization holds points when the partner does not say. */
        @WithDefault("900s")
        Duration defaultTtl();

        @WithDefault("7d")
        Duration maxTtl();

        /** How often holds past their expiry are released. */
        @WithDefault("15s")
        Duration expiryInterval();

        /** Holds released per run at most, so one run stays a short transaction. */
        @WithDefault("1000")
        int expiryBatchSize();
    }

    interface Expiry {
        /** How often lots past their validity are expired to breakage. */
        @WithDefault("1m")
        Duration interval();

        /** Lots expired per run at most; the next run takes the rest. */
        @WithDefault("500")
        int batchSize();
    }

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

        /**
         * How long a verified bearer token is taken at its word again without verifying it (never past its expiry);
         * 0 verifies every request. A till sends the same token with every request for its lifetime, and verifying
         * it was a sixth of the gateway's CPU per earn (bench/README). The price: a signing key withdrawn at the
         * issuer stops working here up to this much later.
         */
        @WithDefault("60s")
        Duration verifiedTokenMaxAge();

        /**
         * How many verified tokens are remembered at most; when full, new ones are verified every time until room frees.
         * A remembered identity with its parsed token takes a few kilobytes of heap.
         */
        @WithDefault("2000")
        int verifiedTokens();
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
