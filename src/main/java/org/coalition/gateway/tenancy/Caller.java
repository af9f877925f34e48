package org.coalition.gateway.tenancy;

import java.util.Set;

/**
 * Who is calling, as established from a verified token and the partner contracts, never from an
 * argument or header. Resolvers ask the caller what it may see instead of re-reading claims.
 */
public record Caller(Kind kind, String partnerId, String subject, Set<Permission> permissions) {

    /** Realm role of the coalition's consumer IdP that makes a token a member's. */
    public static final String MEMBER_ROLE = "member";
    public static final String SETTLEMENT_ROLE = "settlement";
    public static final String OPERATOR_ROLE = "operator";
    /** The coalition's analysts: coalition-wide program analytics, read-only, and nothing else. */
    public static final String ANALYST_ROLE = "analyst";

    public enum Kind {
        PARTNER,
        MEMBER,
        SETTLEMENT,
        OPERATOR,
        /** Reads the coalition-wide program analytics (aggregates only); no ledger, no members, no writes. */
        ANALYST,
        /** Authenticated, but neither a known partner client nor a coalition role: may do nothing. */
        UNKNOWN,
        /** The gateway itself: start-up, scheduled jobs, the ledger audit. Never a request's caller. */
        SYSTEM
    }

    public static final Caller SYSTEM = new Caller(Kind.SYSTEM, null, "coalition-gateway", Set.of());

    public static Caller partner(String partnerId, String subject, Set<Permission> permissions) {
        return new Caller(Kind.PARTNER, partnerId, subject, Set.copyOf(permissions));
    }

    public static Caller of(Kind kind, String subject) {
        return new Caller(kind, null, subject, Set.of());
    }

    public boolean isPartner() {
        return kind == Kind.PARTNER;
    }

    public boolean isMember() {
        return kind == Kind.MEMBER;
    }

    /** Settlement team and operators read across all partners. */
    public boolean seesAllPartners() {
        return kind == Kind.SETTLEMENT || kind == Kind.OPERATOR;
    }

    /** Idempotency keys are unique per partner, or per member for member mutations. */
    public String idempotencyScope() {
        return switch (kind) {
            case PARTNER -> "partner:" + partnerId;
            case MEMBER -> "member:" + subject;
            default -> kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + subject;
        };
    }
}
