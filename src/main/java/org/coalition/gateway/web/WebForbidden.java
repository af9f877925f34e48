package org.coalition.gateway.web;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.quarkus.security.ForbiddenException;

/** The web apps are the only Quarkus REST resources; GraphQL answers its own refusals. */
public class WebForbidden {

    /** A signed-in person on a page of another app: 403 with a page that says so, not a blank error. */
    @ServerExceptionMapper
    public Response forbidden(ForbiddenException refused, HttpHeaders headers) {
        return Response.status(Response.Status.FORBIDDEN).type(MediaType.TEXT_HTML_TYPE)
                .entity(WebHome.Templates.forbidden(new WebPage(WebLocale.of(headers), "forbidden", "", null))
                        .setLocale(WebLocale.of(headers)).render())
                .build();
    }
}
