package org.coalition.gateway.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;

import io.smallrye.mutiny.Uni;

import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.CurrentCaller;

/** The signed-in person as a {@link Caller}, exactly as the GraphQL API sees a token's caller, and their page frame. */
@ApplicationScoped
public class WebCallers {

    private final CurrentCaller callers;
    private final CsrfTokens csrf;

    public WebCallers(CurrentCaller callers, CsrfTokens csrf) {
        this.callers = callers;
        this.csrf = csrf;
    }

    public Uni<WebPage> page(HttpHeaders headers, String section) {
        return callers.get().map(caller -> new WebPage(WebLocale.of(headers), section, csrf.tokenFor(caller.subject()), caller));
    }

    /** The caller of a form's POST, once its CSRF token is checked. */
    public Uni<WebPage> submitted(HttpHeaders headers, String section, String csrfToken) {
        return page(headers, section).invoke(page -> csrf.verify(page.caller().subject(), csrfToken));
    }
}
