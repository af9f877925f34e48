package org.coalition.gateway.shared;

import io.quarkus.security.ForbiddenException;

/**
 * A refusal whose message the caller may read: it names what was refused and why, never our internals. A
 * {@link ForbiddenException}, so its {@code extensions.reason} stays FORBIDDEN; listed in
 * show-runtime-exception-message, where a plain ForbiddenException is not (Quarkus's own carry no message).
 */
public class Refusal extends ForbiddenException {

    public Refusal(String message) {
        super(message);
    }

    public Refusal(String message, Throwable cause) {
        super(message, cause);
    }
}
