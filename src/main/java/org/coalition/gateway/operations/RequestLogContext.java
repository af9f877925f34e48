package org.coalition.gateway.operations;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.MDC;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.ext.web.RoutingContext;

import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.CallerAugmentor;

/**
 * Gives every log line written while serving a request the request's id and, once the token is verified,
 * who is calling: a partner's id, or only the kind of caller, never a member's subject.
 *
 * <p>Quarkus keeps the MDC on the request's duplicated Vert.x context, not on a thread, so the values follow
 * the request through the reactive PostgreSQL client's callbacks and die with the request.
 */
@ApplicationScoped
public class RequestLogContext {

    public static final String HEADER = "X-Request-Id";
    public static final String REQUEST_ID = "requestId";
    public static final String PARTNER_ID = "partnerId";
    public static final String CALLER_KIND = "callerKind";

    /**
     * Quarkus authenticates at filter priority 200 and authorizes at 100 (higher runs first); authentication is
     * proactive (the default), so between the two the caller is known and nothing has run for it yet.
     */
    static final int BEFORE_AUTHENTICATION = 300;
    static final int AFTER_AUTHENTICATION = 150;

    /** A caller's id is kept only when it cannot break a log line or a header and is short enough to index. */
    private static final Pattern SANE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    /** 12 or more digits in a row could be a card number a till put there: such an id is replaced. */
    private static final Pattern CARD_LIKE = Pattern.compile("\\d{12,}");

    void register(@Observes Filters filters) {
        filters.register(RequestLogContext::tagRequest, BEFORE_AUTHENTICATION);
        filters.register(RequestLogContext::tagCaller, AFTER_AUTHENTICATION);
    }

    static void tagRequest(RoutingContext context) {
        String requestId = requestIdOf(context.request().getHeader(HEADER));
        MDC.put(REQUEST_ID, requestId);
        context.response().putHeader(HEADER, requestId);
        context.next();
    }

    static void tagCaller(RoutingContext context) {
        if (context.user() instanceof QuarkusHttpUser user) {
            Caller caller = user.getSecurityIdentity().getAttribute(CallerAugmentor.CALLER_ATTRIBUTE);
            if (caller != null) {
                MDC.put(CALLER_KIND, caller.kind().name().toLowerCase(Locale.ROOT));
                if (caller.isPartner()) {
                    MDC.put(PARTNER_ID, caller.partnerId());
                }
            }
        }
        context.next();
    }

    static String requestIdOf(String offered) {
        if (offered != null && SANE_REQUEST_ID.matcher(offered).matches() && !CARD_LIKE.matcher(offered).find()) {
            return offered;
        }
        return newRequestId();
    }

    /**
     * 128 random bits in hex, the shape of a trace id. ThreadLocalRandom, not UUID.randomUUID(): a request id
     * needs no secrecy, and the shared SecureRandom would be one more lock on the hot path.
     */
    static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return hex16(random.nextLong()) + hex16(random.nextLong());
    }

    private static String hex16(long bits) {
        String hex = Long.toHexString(bits);
        return hex.length() == 16 ? hex : "0".repeat(16 - hex.length()) + hex;
    }
}
