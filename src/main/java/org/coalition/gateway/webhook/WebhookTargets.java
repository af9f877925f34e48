package org.coalition.gateway.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import org.coalition.gateway.shared.CoalitionConfig;

/**
 * Which URLs the gateway will post events to. In production only https on public addresses: a partner
 * must not be able to make the gateway call into the cluster, the cloud metadata service or anyone's
 * private network (server-side request forgery). Checked when an endpoint is saved and again, on the
 * address the name then resolves to, before every delivery.
 */
@ApplicationScoped
public class WebhookTargets {

    static final int MAX_URL_LENGTH = 2048;

    private final boolean requireHttps;
    private final boolean allowPrivateTargets;

    @Inject
    public WebhookTargets(CoalitionConfig config) {
        this(config.webhooks().requireHttps(), config.webhooks().allowPrivateTargets());
    }

    WebhookTargets(boolean requireHttps, boolean allowPrivateTargets) {
        this.requireHttps = requireHttps;
        this.allowPrivateTargets = allowPrivateTargets;
    }

    /** Why {@code url} is refused, or empty when it is acceptable. Resolves the host off the event loop. */
    public Uni<Optional<String>> problemWith(String url) {
        Optional<String> shape = shapeProblem(url);
        if (shape.isPresent() || allowPrivateTargets) {
            return Uni.createFrom().item(shape);
        }
        return Uni.createFrom().item(() -> addressProblem(URI.create(url).getHost()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    Optional<String> shapeProblem(String url) {
        if (url == null || url.isBlank() || url.length() > MAX_URL_LENGTH) {
            return Optional.of("url must be an absolute URL of at most " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("url is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && !requireHttps)) {
            return Optional.of(requireHttps ? "url must use https" : "url must use http or https");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            return Optional.of("url needs a host, and no user info or fragment");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (!allowPrivateTargets && (host.equals("localhost") || host.endsWith(".localhost") || host.endsWith(".local")
                || host.endsWith(".internal") || host.endsWith(".svc") || host.contains(".svc."))) {
            return Optional.of("url must be on a public address");
        }
        return Optional.empty();
    }

    /** Whether {@link #addressProblem} has anything to check (it blocks on DNS when it does). */
    boolean checksAddresses() {
        return !allowPrivateTargets;
    }

    /** Resolves {@code host} (blocking) and refuses it if any of its addresses is not public. */
    Optional<String> addressProblem(String host) {
        if (allowPrivateTargets) {
            return Optional.empty();
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!isPublic(address)) {
                    return Optional.of("url must be on a public address");
                }
            }
            return Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.of("url's host does not resolve");
        }
    }

    static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            return first != 0 // "this network"
                    && !(first == 100 && second >= 64 && second < 128) // carrier-grade NAT, 100.64.0.0/10
                    && !(first == 192 && second == 0 && (bytes[2] & 0xff) == 0) // IETF protocol assignments
                    && !(first == 198 && (second == 18 || second == 19)) // benchmarking, 198.18.0.0/15
                    && first < 240; // reserved and broadcast
        }
        if (address instanceof Inet6Address) {
            boolean uniqueLocal = (bytes[0] & 0xfe) == 0xfc; // fc00::/7
            boolean ipv4Mapped = isIpv4Mapped(bytes);
            if (ipv4Mapped) {
                try {
                    return isPublic(InetAddress.getByAddress(java.util.Arrays.copyOfRange(bytes, 12, 16)));
                } catch (UnknownHostException e) {
                    return false;
                }
            }
            return !uniqueLocal;
        }
        return false;
    }

    private static boolean isIpv4Mapped(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return (bytes[10] & 0xff) == 0xff && (bytes[11] & 0xff) == 0xff;
    }
}
