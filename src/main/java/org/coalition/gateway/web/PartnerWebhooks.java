package org.coalition.gateway.web;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.partner.Partner;
import org.coalition.gateway.partner.PartnerApi;
import org.coalition.gateway.shared.UserError;
import org.coalition.gateway.webhook.PartnerEventType;
import org.coalition.gateway.webhook.WebhookEndpointService;
import org.coalition.gateway.webhook.WebhookTypes.CreateWebhookEndpointInput;
import org.coalition.gateway.webhook.WebhookTypes.DeleteWebhookEndpointInput;
import org.coalition.gateway.webhook.WebhookTypes.ReplayWebhookDeliveriesInput;
import org.coalition.gateway.webhook.WebhookTypes.RotateWebhookSigningSecretInput;
import org.coalition.gateway.webhook.WebhookTypes.UpdateWebhookEndpointInput;
import org.coalition.gateway.webhook.WebhookTypes.WebhookDelivery;
import org.coalition.gateway.webhook.WebhookTypes.WebhookDeliveryStatus;
import org.coalition.gateway.webhook.WebhookTypes.WebhookEndpoint;
import org.coalition.gateway.webhook.WebhookTypes.WebhookEndpointPayload;

/**
 * A partner's webhook endpoints on the console, through the service behind the webhook mutations: create one (its
 * signing secret is shown once, on the answer to the form, never in a URL), rotate its secret (the new one shown
 * once), disable, enable or delete it, and see its dead letters and send them again.
 */
@Path("/app/partner/webhooks")
@Produces(MediaType.TEXT_HTML)
@PermissionsAllowed(PartnerWebhooks.MANAGE)
public class PartnerWebhooks {

    static final String MANAGE = "webhooks:manage";
    /** What a redirect may announce; anything else in the query is not shown. */
    static final Set<String> NOTICES = Set.of("enabled", "disabled", "deleted", "replayed");

    @CheckedTemplate(basePath = "web/partner", requireTypeSafeExpressions = false)
    static class Templates {
        static native TemplateInstance webhooks(WebPage page, Partner partner, List<EndpointRow> endpoints,
                List<PartnerEventType> eventTypes, NewEndpointForm form, String formKey, NewSecret secret, String notice,
                String replayed, List<UserError> errors);
    }

    /** An endpoint with its dead letters (the first page of them). */
    public record EndpointRow(WebhookEndpoint endpoint, List<WebhookDelivery> deadLetters) {
    }

    /** What the create form was sent with, to show it again next to its errors. */
    public record NewEndpointForm(String url, String description, Set<String> eventTypes) {
        static final NewEndpointForm EMPTY = new NewEndpointForm("", "", Set.of(PartnerEventType.TRANSACTION_POSTED.name()));

        public boolean checked(PartnerEventType type) {
            return eventTypes.contains(type.name());
        }
    }

    /** A signing secret just made, shown on this one answer only. */
    public record NewSecret(String endpointId, String url, String secret, boolean rotated) {
    }

    private final WebCallers callers;
    private final WebhookEndpointService webhooks;
    private final PartnerApi partners;
    private final WebConfig config;

    public PartnerWebhooks(WebCallers callers, WebhookEndpointService webhooks, PartnerApi partners, WebConfig config) {
        this.callers = callers;
        this.webhooks = webhooks;
        this.partners = partners;
        this.config = config;
    }

    @GET
    public Uni<TemplateInstance> webhooks(@Context HttpHeaders headers, @RestQuery String notice, @RestQuery String count) {
        return callers.page(headers, "webhooks").flatMap(page -> webhooks(page, new Shown(NewEndpointForm.EMPTY, null,
                notice != null && NOTICES.contains(notice) ? notice : null, MemberPortal.parsePoints(count), List.of())));
    }

    @POST
    public Uni<TemplateInstance> create(@Context HttpHeaders headers, @RestForm String csrf, @RestForm String idempotencyKey,
            @RestForm String url, @RestForm List<String> eventTypes, @RestForm String description) {
        return callers.submitted(headers, "webhooks", csrf).flatMap(page -> {
            NewEndpointForm sent = new NewEndpointForm(url == null ? "" : url.strip(), description == null ? "" : description,
                    eventTypes == null ? Set.of() : Set.copyOf(eventTypes));
            List<PartnerEventType> types = new ArrayList<>();
            for (String type : sent.eventTypes()) {
                try {
                    types.add(PartnerEventType.valueOf(type));
                } catch (IllegalArgumentException unknown) {
                    return webhooks(page, Shown.failed(sent, UserError.invalid("unknown event type " + type, "eventTypes")));
                }
            }
            CreateWebhookEndpointInput input = new CreateWebhookEndpointInput();
            input.idempotencyKey = idempotencyKey;
            input.url = sent.url();
            input.eventTypes = types;
            input.description = MemberPortal.blank(description) ? null : description.strip();
            return webhooks.create(page.caller(), input)
                    .flatMap(payload -> webhooks(page, withSecret(payload, false, sent)));
        });
    }

    @POST
    @Path("rotate")
    public Uni<TemplateInstance> rotate(@Context HttpHeaders headers, @RestForm String csrf, @RestForm String idempotencyKey,
            @RestForm String endpointId) {
        return callers.submitted(headers, "webhooks", csrf).flatMap(page -> {
            RotateWebhookSigningSecretInput input = new RotateWebhookSigningSecretInput();
            input.idempotencyKey = idempotencyKey;
            input.id = endpointId;
            return webhooks.rotateSecret(page.caller(), input)
                    .flatMap(payload -> webhooks(page, withSecret(payload, true, NewEndpointForm.EMPTY)));
        });
    }

    /** Disables ({@code enabled=false}) or enables an endpoint, as {@code updateWebhookEndpoint} does. */
    @POST
    @Path("enabled")
    public Uni<Object> enable(@Context HttpHeaders headers, @RestForm String csrf, @RestForm String idempotencyKey,
            @RestForm String endpointId, @RestForm boolean enabled) {
        return callers.submitted(headers, "webhooks", csrf).flatMap(page -> {
            UpdateWebhookEndpointInput input = new UpdateWebhookEndpointInput();
            input.idempotencyKey = idempotencyKey;
            input.id = endpointId;
            input.enabled = enabled;
            return webhooks.update(page.caller(), input)
                    .flatMap(payload -> redirectOr(page, payload.userErrors(), enabled ? "enabled" : "disabled", 0));
        });
    }

    @POST
    @Path("delete")
    public Uni<Object> delete(@Context HttpHeaders headers, @RestForm String csrf, @RestForm String idempotencyKey,
            @RestForm String endpointId) {
        return callers.submitted(headers, "webhooks", csrf).flatMap(page -> {
            DeleteWebhookEndpointInput input = new DeleteWebhookEndpointInput();
            input.idempotencyKey = idempotencyKey;
            input.id = endpointId;
            return webhooks.delete(page.caller(), input)
                    .flatMap(payload -> redirectOr(page, payload.userErrors(), "deleted", 0));
        });
    }

    /** Sends one dead letter ({@code deliveryId}) or all of an endpoint's dead letters again. */
    @POST
    @Path("replay")
    public Uni<Object> replay(@Context HttpHeaders headers, @RestForm String csrf, @RestForm String idempotencyKey,
            @RestForm String endpointId, @RestForm String deliveryId) {
        return callers.submitted(headers, "webhooks", csrf).flatMap(page -> {
            ReplayWebhookDeliveriesInput input = new ReplayWebhookDeliveriesInput();
            input.idempotencyKey = idempotencyKey;
            input.endpointId = endpointId;
            input.deliveryIds = MemberPortal.blank(deliveryId) ? null : List.of(deliveryId.strip());
            return webhooks.replay(page.caller(), input)
                    .flatMap(payload -> redirectOr(page, payload.userErrors(), "replayed", payload.replayed()));
        });
    }

    /** What one drawing of the page shows besides the endpoints. */
    private record Shown(NewEndpointForm form, NewSecret secret, String notice, int replayed, List<UserError> errors) {
        static Shown failed(NewEndpointForm form, UserError error) {
            return failed(form, List.of(error));
        }

        static Shown failed(NewEndpointForm form, List<UserError> errors) {
            return new Shown(form, null, null, 0, errors);
        }
    }

    private static Shown withSecret(WebhookEndpointPayload payload, boolean rotated, NewEndpointForm sent) {
        if (!payload.userErrors().isEmpty()) {
            return Shown.failed(sent, payload.userErrors());
        }
        WebhookEndpoint endpoint = payload.endpoint();
        return new Shown(NewEndpointForm.EMPTY, new NewSecret(endpoint.id(), endpoint.url(), payload.signingSecret(), rotated),
                null, 0, List.of());
    }

    private Uni<Object> redirectOr(WebPage page, List<UserError> errors, String notice, int replayed) {
        if (errors.isEmpty()) {
            return Uni.createFrom().item(Response.seeOther(URI.create("/app/partner/webhooks?notice=" + notice
                    + ("replayed".equals(notice) ? "&count=" + replayed : ""))).build());
        }
        return webhooks(page, Shown.failed(NewEndpointForm.EMPTY, errors)).map(Object.class::cast);
    }

    private Uni<TemplateInstance> webhooks(WebPage page, Shown shown) {
        return webhooks.endpoints(page.caller())
                .flatMap(endpoints -> Multi.createFrom().iterable(endpoints)
                        .onItem().transformToUniAndConcatenate(endpoint -> deadLetters(page, endpoint))
                        .collect().asList())
                .map(rows -> page.in(Templates.webhooks(page, partners.byId(page.caller().partnerId()), rows,
                        List.of(PartnerEventType.values()), shown.form(), UUID.randomUUID().toString(), shown.secret(),
                        shown.notice(), page.points(shown.replayed()), shown.errors())));
    }

    private Uni<EndpointRow> deadLetters(WebPage page, WebhookEndpoint endpoint) {
        if (endpoint.deadLetters() == 0) {
            return Uni.createFrom().item(new EndpointRow(endpoint, List.of()));
        }
        return webhooks.deliveries(page.caller(), endpoint.id(), WebhookDeliveryStatus.DEAD, config.pageSize(), null)
                .map(dead -> new EndpointRow(endpoint, dead));
    }
}
