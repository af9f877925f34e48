package org.coalition.gateway.web;

import java.net.URI;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a state-changing request to the web apps that a browser says came from another site (Fetch Metadata), or
 * whose Origin is not this host: a second line behind the forms' {@link CsrfTokens}, and the session cookie's
 * SameSite=Lax.
 */
public class SameOriginFilter {

    @ServerRequestFilter
    public Response refuseCrossSite(ContainerRequestContext request) {
        String method = request.getMethod();
        if (!request.getUriInfo().getPath().startsWith("/app") || "GET".equals(method) || "HEAD".equals(method)) {
            return null;
        }
        String site = request.getHeaderString("Sec-Fetch-Site");
        if (site != null && !"same-origin".equals(site) && !"none".equals(site)) {
            return Response.status(Response.Status.FORBIDDEN).build();
        }
        String origin = request.getHeaderString("Origin");
        if (origin != null && !sameHost(origin, request.getHeaderString("Host"))) {
            return Response.status(Response.Status.FORBIDDEN).build();
        }
        return null;
    }

    static boolean sameHost(String origin, String host) {
        try {
            URI uri = URI.create(origin);
            String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            return host != null && authority != null && authority.equalsIgnoreCase(host);
        } catch (IllegalArgumentException malformed) {
            return false;
        }
    }
}
