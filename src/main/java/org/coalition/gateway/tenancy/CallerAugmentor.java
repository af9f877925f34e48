package org.coalition.gateway.tenancy;

import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.logging.Log;
import io.quarkus.oidc.runtime.OidcJwtCallerPrincipal;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.partner.PartnerContract;
import org.coalition.gateway.partner.PartnerDirectory;
import org.coalition.gateway.shared.CoalitionConfig;

/**
 * Turns a verified token into a {@link Caller}: coalition roles first, then the partner whose contract
 * lists the token's client id. A partner's permissions are its token's scopes intersected with what its
 * contract grants, and are added to the identity so that {@code @PermissionsAllowed} can check them.
 */
@ApplicationScoped
public class CallerAugmentor implements SecurityIdentityAugmentor {

    public static final String CALLER_ATTRIBUTE = "coalition.caller";

    /** Coalition-side permissions; partner scopes are the {@link Permission} values. */
    public static final String MEMBER_SELF = "member:self";
    public static final String MEMBERS_READ_ALL = "members:read-all";
    public static final String PARTNERS_READ_ALL = "partners:read-all";
    /** The settlement team's own work: close periods, read every statement and the matrix. */
    public static final String SETTLEMENT_MANAGE = "settlement:manage";
    /** The coalition's own program (challenges): operators only. */
    public static final String PROGRAM_MANAGE = "program:manage";
    /** Operators only: erase members on request, decide retention reviews, read the personal-data read log. */
    public static final String PRIVACY_MANAGE = "privacy:manage";
    /** Program analytics of the whole coalition and of any partner, unsuppressed: analysts and operators. */
    public static final String ANALYTICS_READ_ALL = "analytics:read-all";

    /** More combinations of kind and scopes than real callers make: past it, a caller's grant is made each time. */
    private static final int MAX_GRANT_COMBINATIONS = 1_000;
    private static final Pattern SCOPE_SEPARATOR = Pattern.compile("\\s+");

    private final PartnerDirectory partners;
    private final List<String> clientIdClaims;
    private final Map<GrantKey, Set<java.security.Permission>> grants = new ConcurrentHashMap<>();

    public CallerAugmentor(PartnerDirectory partners, CoalitionConfig config) {
        this.partners = partners;
        this.clientIdClaims = List.copyOf(config.tenancy().clientIdClaims());
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken token)) {
            return Uni.createFrom().item(identity);
        }
        Caller caller = callerOf(identity, token);
        // A fresh identity, not builder(identity): quarkus-oidc has already granted every scope in the token
        // as a permission, which would let a token's own claims bypass what the contract grants.
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder()
                .setPrincipal(identity.getPrincipal())
                .addRoles(identity.getRoles())
                .addCredentials(identity.getCredentials())
                .addAttributes(identity.getAttributes())
                .addAttribute(CALLER_ATTRIBUTE, caller);
        return Uni.createFrom().item(builder.addPermissions(grantedPermissions(caller)).build());
    }

    Caller callerOf(SecurityIdentity identity, JsonWebToken token) {
        String subject = token.getSubject();
        if (identity.hasRole(Caller.OPERATOR_ROLE)) {
            return Caller.of(Caller.Kind.OPERATOR, subject);
        }
        if (identity.hasRole(Caller.SETTLEMENT_ROLE)) {
            return Caller.of(Caller.Kind.SETTLEMENT, subject);
        }
        if (identity.hasRole(Caller.ANALYST_ROLE)) {
            return Caller.of(Caller.Kind.ANALYST, subject);
        }
        if (identity.hasRole(Caller.MEMBER_ROLE) && subject != null) {
            return Caller.of(Caller.Kind.MEMBER, subject);
        }
        // A partner's own IdP identifies the partner by its issuer (its tenant already verified it).
        String clientId = clientIdOf(token);
        PartnerContract contract = partners.byIssuer(token.getIssuer())
                .or(() -> clientId == null ? java.util.Optional.empty() : partners.byClientId(clientId))
                .orElse(null);
        if (contract == null) {
            // Not the subject: for a person's token it identifies them.
            Log.debugf("token of unknown client %s gets no permissions", clientId);
            return Caller.of(Caller.Kind.UNKNOWN, subject);
        }
        Set<Permission> permissions = EnumSet.noneOf(Permission.class);
        for (String scope : scopesOf(token)) {
            Permission.fromScope(scope).filter(contract.permissions()::contains).ifPresent(permissions::add);
        }
        return Caller.partner(contract.id(), subject, permissions);
    }

    /**
     * The permissions a caller's kind and token grant, made once per combination rather than on every request (one
     * stream per permission, 1.5 % of the gateway's CPU per earn): callers of one kind with one set of scopes are
     * few. Quarkus turns each string into its permission, as it would for the identity itself.
     */
    private Set<java.security.Permission> grantedPermissions(Caller caller) {
        GrantKey key = new GrantKey(caller.kind(), caller.permissions());
        Set<java.security.Permission> granted = grants.get(key);
        if (granted == null) {
            granted = Set.copyOf(QuarkusSecurityIdentity.builder().setAnonymous(true)
                    .addPermissionsAsString(grantedPermissionNames(caller)).build().getPermissions());
            if (grants.size() < MAX_GRANT_COMBINATIONS) {
                grants.put(key, granted);
            }
        }
        return granted;
    }

    private record GrantKey(Caller.Kind kind, Set<Permission> permissions) {
    }

    private static Set<String> grantedPermissionNames(Caller caller) {
        Set<String> granted = new HashSet<>();
        caller.permissions().forEach(permission -> granted.add(permission.scope()));
        switch (caller.kind()) {
            case MEMBER -> granted.add(MEMBER_SELF);
            case ANALYST -> granted.add(ANALYTICS_READ_ALL);
            case SETTLEMENT, OPERATOR -> {
                if (caller.kind() == Caller.Kind.OPERATOR) {
                    granted.add(PROGRAM_MANAGE);
                    granted.add(PRIVACY_MANAGE);
                    granted.add(ANALYTICS_READ_ALL);
                }
                granted.add(MEMBERS_READ_ALL);
                granted.add(PARTNERS_READ_ALL);
                granted.add(SETTLEMENT_MANAGE);
                granted.add(Permission.SETTLEMENT_READ.scope());
            }
            default -> {
            }
        }
        return granted;
    }

    /** OIDC clients name themselves in {@code azp}; some issuers use {@code client_id} instead. */
    private String clientIdOf(JsonWebToken token) {
        for (String claim : clientIdClaims) {
            Object value = claim(token, claim);
            if (value != null) {
                return value.toString().replace("\"", "");
            }
        }
        return null;
    }

    /**
     * A claim's value, read from the verified claims where quarkus-oidc keeps them. Not {@code token.getClaim(name)}:
     * smallrye-jwt first looks the name up among the standard claims of the MicroProfile JWT {@code Claims} enum, and
     * for one that is not there ({@code scope}, {@code scp}, {@code client_id}) builds an exception with its stack
     * trace, on every request; that was a twentieth of the gateway's CPU per earn (bench/README.md, "Session 9").
     */
    private static Object claim(JsonWebToken token, String name) {
        return token instanceof OidcJwtCallerPrincipal verified ? verified.getClaims().getClaimValue(name) : token.getClaim(name);
    }

    /** {@code scope} is a space-separated string (RFC 8693); some issuers send an {@code scp} array. */
    static Set<String> scopesOf(JsonWebToken token) {
        Set<String> scopes = new HashSet<>();
        Object scope = claim(token, "scope");
        if (scope != null) {
            for (String value : SCOPE_SEPARATOR.split(scope.toString().replace("\"", ""))) {
                if (!value.isBlank()) {
                    scopes.add(value);
                }
            }
        }
        Object scp = claim(token, "scp");
        if (scp instanceof Collection<?> values) {
            values.forEach(value -> scopes.add(value.toString().replace("\"", "")));
        }
        return scopes;
    }
}
