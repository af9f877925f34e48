package org.coalition.gateway.web;

import java.net.URI;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import io.quarkus.security.ForbiddenException;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.tenancy.Caller;

/** {@code /app}: sends each person to their own app; a page of its own for what they may not open. */
@Path("/app")
@Produces(MediaType.TEXT_HTML)
public class WebHome {

    @CheckedTemplate(basePath = "web", requireTypeSafeExpressions = false)
    static class Templates {
        static native TemplateInstance forbidden(WebPage page);

        static native TemplateInstance signedOut(WebPage page);
    }

    private final WebCallers callers;

    public WebHome(WebCallers callers) {
        this.callers = callers;
    }

    @GET
    @Authenticated
    public Uni<Response> home(@Context HttpHeaders headers) {
        return callers.page(headers, "home").map(page -> Response.seeOther(URI.create(appOf(page.caller()))).build());
    }

    /** Where {@code quarkus.oidc.web.logout.post-logout-path} sends a person after signing out; open to all. */
    @GET
    @Path("signed-out")
    public TemplateInstance signedOut(@Context HttpHeaders headers) {
        WebPage page = new WebPage(WebLocale.of(headers), "signed-out", "", null);
        return page.in(Templates.signedOut(page));
    }

    static String appOf(Caller caller) {
        return switch (caller.kind()) {
            case MEMBER -> "/app/member";
            case PARTNER -> "/app/partner";
            case SETTLEMENT, OPERATOR -> "/app/settlement";
            default -> throw new ForbiddenException();
        };
    }
}
