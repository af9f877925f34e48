package org.coalition.gateway.webhook;

import java.util.List;

import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.operations.OperationMetrics;
import org.coalition.gateway.shared.MutationBudget;
import org.coalition.gateway.tenancy.CurrentCaller;
import org.coalition.gateway.tenancy.ExplainedRefusals;
import org.coalition.gateway.webhook.PartnerEventFeed.PartnerEvent;
import org.coalition.gateway.webhook.WebhookTypes.CreateWebhookEndpointInput;
import org.coalition.gateway.webhook.WebhookTypes.DeleteWebhookEndpointInput;
import org.coalition.gateway.webhook.WebhookTypes.DeleteWebhookEndpointPayload;
import org.coalition.gateway.webhook.WebhookTypes.ReplayWebhookDeliveriesInput;
import org.coalition.gateway.webhook.WebhookTypes.ReplayWebhookDeliveriesPayload;
import org.coalition.gateway.webhook.WebhookTypes.RotateWebhookSigningSecretInput;
import org.coalition.gateway.webhook.WebhookTypes.UpdateWebhookEndpointInput;
import org.coalition.gateway.webhook.WebhookTypes.WebhookDelivery;
import org.coalition.gateway.webhook.WebhookTypes.WebhookDeliveryStatus;
import org.coalition.gateway.webhook.WebhookTypes.WebhookEndpoint;
import org.coalition.gateway.webhook.WebhookTypes.WebhookEndpointPayload;

/** A partner manages where its events are delivered, looks into and replays failed deliveries, and reads its events back. */
@GraphQLApi
@ExplainedRefusals
@OperationMetrics
@MutationBudget
public class WebhookApi {

    private static final String MANAGE = "webhooks:manage";

    private final WebhookEndpointService endpoints;
    private final PartnerEventFeed events;
    private final CurrentCaller caller;

    public WebhookApi(WebhookEndpointService endpoints, PartnerEventFeed events, CurrentCaller caller) {
        this.endpoints = endpoints;
        this.events = events;
        this.caller = caller;
    }

    @Query("partnerEvents")
    @PermissionsAllowed(MANAGE)
    @Description("The calling partner's events in the order its endpoints receive them, from the one after `after` (an event id, "
            + "e.g. the last one a receiver handled) or from the oldest kept; to catch up on missed webhooks.")
    public @NonNull Uni<List<@NonNull PartnerEvent>> partnerEvents(@Id @Name("after") String after,
            @Name("types") List<PartnerEventType> types, @Name("first") @DefaultValue("50") Integer first) {
        return caller.get().flatMap(c -> events.page(c, after, types, first));
    }

    @Query("webhookEndpoints")
    @PermissionsAllowed(MANAGE)
    @Description("The calling partner's webhook endpoints.")
    public @NonNull Uni<List<@NonNull WebhookEndpoint>> webhookEndpoints() {
        return caller.get().flatMap(endpoints::endpoints);
    }

    @Query("webhookDeliveries")
    @PermissionsAllowed(MANAGE)
    @Description("One endpoint's deliveries in event order, e.g. its dead letters (status: DEAD); page with after = the last id seen.")
    public @NonNull Uni<List<@NonNull WebhookDelivery>> webhookDeliveries(@NonNull @Id @Name("endpointId") String endpointId,
            @Name("status") WebhookDeliveryStatus status, @Name("first") @DefaultValue("50") Integer first,
            @Id @Name("after") String after) {
        return caller.get().flatMap(c -> endpoints.deliveries(c, endpointId, status, first, after));
    }

    @Mutation("createWebhookEndpoint")
    @PermissionsAllowed(MANAGE)
    public @NonNull Uni<WebhookEndpointPayload> createWebhookEndpoint(@NonNull @Name("input") CreateWebhookEndpointInput input) {
        return caller.get().flatMap(c -> endpoints.create(c, input));
    }

    @Mutation("updateWebhookEndpoint")
    @PermissionsAllowed(MANAGE)
    public @NonNull Uni<WebhookEndpointPayload> updateWebhookEndpoint(@NonNull @Name("input") UpdateWebhookEndpointInput input) {
        return caller.get().flatMap(c -> endpoints.update(c, input));
    }

    @Mutation("rotateWebhookSigningSecret")
    @PermissionsAllowed(MANAGE)
    public @NonNull Uni<WebhookEndpointPayload> rotateWebhookSigningSecret(
            @NonNull @Name("input") RotateWebhookSigningSecretInput input) {
        return caller.get().flatMap(c -> endpoints.rotateSecret(c, input));
    }

    @Mutation("deleteWebhookEndpoint")
    @PermissionsAllowed(MANAGE)
    public @NonNull Uni<DeleteWebhookEndpointPayload> deleteWebhookEndpoint(@NonNull @Name("input") DeleteWebhookEndpointInput input) {
        return caller.get().flatMap(c -> endpoints.delete(c, input));
    }

    @Mutation("replayWebhookDeliveries")
    @PermissionsAllowed(MANAGE)
    public @NonNull Uni<ReplayWebhookDeliveriesPayload> replayWebhookDeliveries(
            @NonNull @Name("input") ReplayWebhookDeliveriesInput input) {
        return caller.get().flatMap(c -> endpoints.replay(c, input));
    }
}
