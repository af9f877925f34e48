package org.coalition.gateway.tenancy;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/** The caller of the request being served. */
@ApplicationScoped
public class CurrentCaller {

    private final CurrentIdentityAssociation identities;

    public CurrentCaller(CurrentIdentityAssociation identities) {
        this.identities = identities;
    }

    public Uni<Caller> get() {
        return identities.getDeferredIdentity().map(CurrentCaller::callerOf);
    }

    static Caller callerOf(SecurityIdentity identity) {
        if (identity.isAnonymous()) {
            throw new UnauthorizedException();
        }
        Caller caller = identity.getAttribute(CallerAugmentor.CALLER_ATTRIBUTE);
        if (caller == null || caller.kind() == Caller.Kind.UNKNOWN) {
            throw new ForbiddenException();
        }
        return caller;
    }
}
