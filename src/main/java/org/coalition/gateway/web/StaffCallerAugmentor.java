package org.coalition.gateway.web;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.partner.PartnerContract;
import org.coalition.gateway.partner.PartnerDirectory;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.CallerAugmentor;
import org.coalition.gateway.tenancy.Permission;

/**
 * A partner's staff user signed in to the web apps: runs after {@link CallerAugmentor}, which knows partners only by
 * their systems' client ids and leaves a person of a partner {@code UNKNOWN}. For identities of the web tenant only
 * (an ID token from the code flow, never a bearer token of the GraphQL API), a user with the staff role and a
 * partner claim becomes that partner's caller, with the claimed scopes intersected with the partner's contract,
 * exactly the permissions the partner's own systems could have. In dev mode and tests {@link DevStaff} may stand in
 * for the claims of the OIDC dev server's users, which cannot carry them.
 */
@ApplicationScoped
public class StaffCallerAugmentor implements SecurityIdentityAugmentor {

    /** Set by quarkus-oidc on every identity it verified: the tenant that verified it. */
    static final String TENANT_ID_ATTRIBUTE = "tenant-id";

    /** Who a staff user says they work for, and the partner scopes they say they hold; the contract has the last word. */
    record StaffClaim(String partnerId, Set<String> scopes) {
    }

    private final PartnerDirectory partners;
    private final WebConfig config;
    private final DevStaff devStaff;

    public StaffCallerAugmentor(PartnerDirectory partners, WebConfig config, DevStaff devStaff) {
        this.partners = partners;
        this.config = config;
        this.devStaff = devStaff;
    }

    /** After the coalition's own augmentor (default priority 0): higher priorities run first. */
    @Override
    public int priority() {
        return -100;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !WebConfig.TENANT.equals(identity.getAttribute(TENANT_ID_ATTRIBUTE))
                || !(identity.getPrincipal() instanceof JsonWebToken token)) {
            return Uni.createFrom().item(identity);
        }
        Caller caller = identity.getAttribute(CallerAugmentor.CALLER_ATTRIBUTE);
        if (caller == null || caller.kind() != Caller.Kind.UNKNOWN || !identity.hasRole(config.partnerStaffRole())) {
            return Uni.createFrom().item(identity);
        }
        StaffClaim claim = claimOf(token).or(() -> devStaff.claimOf(token.getSubject())).orElse(null);
        PartnerContract contract = claim == null ? null : partners.byId(claim.partnerId()).orElse(null);
        if (contract == null) {
            return Uni.createFrom().item(identity);
        }
        Set<Permission> permissions = EnumSet.noneOf(Permission.class);
        for (String scope : claim.scopes()) {
            Permission.fromScope(scope).filter(contract.permissions()::contains).ifPresent(permissions::add);
        }
        Caller staff = Caller.partner(contract.id(), token.getSubject(), permissions);
        // A fresh identity, as CallerAugmentor builds it: nothing granted from the token's own claims.
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder()
                .setPrincipal(identity.getPrincipal())
                .addRoles(identity.getRoles())
                .addCredentials(identity.getCredentials())
                .addAttributes(identity.getAttributes())
                .addAttribute(CallerAugmentor.CALLER_ATTRIBUTE, staff);
        permissions.forEach(permission -> builder.addPermissionAsString(permission.scope()));
        return Uni.createFrom().item(builder.build());
    }

    /** The partner and scopes an ID token claims for its staff user, if it names a partner. */
    private Optional<StaffClaim> claimOf(JsonWebToken token) {
        Object partnerId = token.getClaim(config.partnerClaim());
        return partnerId == null ? Optional.empty()
                : Optional.of(new StaffClaim(unquoted(partnerId), claimedScopes(token.getClaim(config.permissionsClaim()))));
    }

    static Set<String> claimedScopes(Object claim) {
        Set<String> scopes = new java.util.HashSet<>();
        if (claim instanceof Collection<?> values) {
            values.forEach(value -> scopes.add(unquoted(value)));
        } else if (claim != null) {
            for (String value : unquoted(claim).split("[\\s,]+")) {
                if (!value.isBlank()) {
                    scopes.add(value);
                }
            }
        }
        return scopes;
    }

    private static String unquoted(Object value) {
        return value.toString().replace("\"", "").strip();
    }
}
