package org.coalition.gateway.shared;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.vertx.http.runtime.filters.QuarkusRequestWrapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Stops taking requests once the gateway shuts down, so that the graceful shutdown ends as soon as the requests
 * in flight are done. Left alone, Quarkus keeps serving requests that arrive while it waits for those in flight
 * (it only closes their connections afterwards), and it never stops counting a subscription's WebSocket upgrade
 * as a request in flight (see {@link #markDone}): under steady load, or after a single subscription, it waits out
 * the whole {@code quarkus.shutdown.timeout} and then cuts whatever is running.
 * <p>
 * A refused request gets 503 before anything reads it: the client knows nothing was done and may retry with the
 * same idempotency key, on another replica. Subscription connections are closed; their clients reconnect
 * elsewhere. {@code /q/} (health) keeps answering, readiness DOWN. All of this starts after
 * {@code quarkus.shutdown.delay}, during which readiness is already DOWN and requests are still served, so that a
 * load balancer that follows readiness has moved away first.
 */
@ApplicationScoped
public class ShutdownDrain {

    static final String REFUSAL = """
            {"errors":[{"message":"The gateway is shutting down and did not process this request; retry it, \
            with the same idempotency key","extensions":{"reason":"SERVICE_UNAVAILABLE"}}]}""";
    private static final Logger LOG = Logger.getLogger(ShutdownDrain.class);
    private static final Method REQUEST_DONE = requestDone();

    private final Duration delay;
    private final Vertx vertx;
    /** Weak: a closed connection leaves no trace here (a WebSocket's request never reports its end). */
    private final Set<HttpConnection> webSockets = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private volatile boolean refusing;

    public ShutdownDrain(@ConfigProperty(name = "quarkus.shutdown.delay") Optional<Duration> delay, Vertx vertx) {
        this.delay = delay.orElse(Duration.ZERO);
        this.vertx = vertx;
    }

    /** Fired when shutdown begins (needs the build-time {@code quarkus.shutdown.delay-enabled=true}). */
    void onShutdown(@Observes ShutdownDelayInitiatedEvent event) {
        if (delay.isZero()) {
            stopTakingRequests();
        } else {
            LOG.infof("Shutting down: readiness is DOWN, requests are refused in %s", delay);
            vertx.setTimer(delay.toMillis(), timer -> stopTakingRequests());
        }
    }

    private void stopTakingRequests() {
        refusing = true;
        LOG.infof("Shutting down: refusing new requests, closing %d subscription connections", webSockets.size());
        List<HttpConnection> open;
        synchronized (webSockets) {
            open = new ArrayList<>(webSockets);
        }
        open.forEach(HttpConnection::close);
    }

    void routes(@Observes Router router) {
        // First of all routes: a refused request costs neither its body nor a token check.
        router.route().order(Integer.MIN_VALUE).handler(this::admit);
    }

    private void admit(RoutingContext context) {
        if (refusing && !context.normalizedPath().startsWith("/q/")) {
            refuse(context);
            return;
        }
        if ("websocket".equalsIgnoreCase(context.request().getHeader(HttpHeaders.UPGRADE))) {
            track(context.request().connection(), context.request());
        }
        context.next();
    }

    private void track(HttpConnection connection, HttpServerRequest upgrade) {
        webSockets.add(connection);
        // Shutdown may have begun since admit() looked: then the sweep may have missed this one.
        if (refusing) {
            connection.close();
        }
        markDone(upgrade);
    }

    /**
     * Quarkus counts a request as in flight until its response ends or closes, which never happens to the response
     * of a WebSocket upgrade, not even once the socket is closed (Quarkus 3.34): a single subscription opened in a
     * gateway's lifetime would make its every shutdown wait out the whole timeout. A subscription holds no request
     * that a shutdown should wait for (it is closed above, and its client resubscribes elsewhere), so its upgrade
     * request counts as done at once. Quarkus keeps that marker idempotent and package-private, hence reflection.
     */
    private static void markDone(HttpServerRequest upgrade) {
        if (REQUEST_DONE == null) {
            return;
        }
        try {
            REQUEST_DONE.invoke(QuarkusRequestWrapper.get(upgrade));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debugf("Could not mark a WebSocket upgrade as done: %s", e);
        }
    }

    private static Method requestDone() {
        try {
            Method done = QuarkusRequestWrapper.class.getDeclaredMethod("done");
            done.setAccessible(true);
            return done;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("Open subscriptions will hold up graceful shutdowns until quarkus.shutdown.timeout: %s", e);
            return null;
        }
    }

    private static void refuse(RoutingContext context) {
        context.response().setStatusCode(503)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.RETRY_AFTER, "1")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(REFUSAL);
    }
}
