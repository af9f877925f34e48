package org.coalition.gateway.web;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.campaign.CampaignService;
import org.coalition.gateway.campaign.CampaignTypes.Campaign;
import org.coalition.gateway.campaign.CampaignTypes.CampaignStatus;
import org.coalition.gateway.campaign.CampaignTypes.SetCampaignStatusInput;
import org.coalition.gateway.partner.Partner;
import org.coalition.gateway.partner.PartnerApi;
import org.coalition.gateway.shared.UserError;

/**
 * A partner's own campaigns on the console: what {@code campaigns} answers, and pausing, resuming and ending one, as
 * {@code setCampaignStatus} does it (campaigns are created through the API: a rule, a window, a budget and a segment
 * are a partner system's work, not a form's).
 */
@Path("/app/partner/campaigns")
@Produces(MediaType.TEXT_HTML)
@PermissionsAllowed(PartnerCampaigns.MANAGE)
public class PartnerCampaigns {

    static final String MANAGE = "campaigns:manage";

    @CheckedTemplate(basePath = "web/partner", requireTypeSafeExpressions = false)
    static class Templates {
        static native TemplateInstance campaigns(WebPage page, Partner partner, List<Campaign> campaigns, String formKey,
                String notice, List<UserError> errors);
    }

    private final WebCallers callers;
    private final CampaignService campaigns;
    private final PartnerApi partners;

    public PartnerCampaigns(WebCallers callers, CampaignService campaigns, PartnerApi partners) {
        this.callers = callers;
        this.campaigns = campaigns;
        this.partners = partners;
    }

    @GET
    public Uni<TemplateInstance> campaigns(@Context HttpHeaders headers, @RestQuery String notice) {
        return callers.page(headers, "campaigns").flatMap(page -> campaigns(page, notice(notice), List.of()));
    }

    /** Pause ({@code PAUSED}), resume ({@code ACTIVE}) or end ({@code ENDED}) one of the partner's campaigns. */
    @POST
    @Path("status")
    public Uni<Object> setStatus(@Context HttpHeaders headers, @RestForm String csrf, @RestForm String idempotencyKey,
            @RestForm String campaignId, @RestForm String status) {
        return callers.submitted(headers, "campaigns", csrf).flatMap(page -> {
            Optional<CampaignStatus> wanted = status(status);
            if (wanted.isEmpty()) {
                return campaigns(page, null, List.of(UserError.invalid("status must be ACTIVE, PAUSED or ENDED", "status")))
                        .map(Object.class::cast);
            }
            SetCampaignStatusInput input = new SetCampaignStatusInput();
            input.idempotencyKey = idempotencyKey;
            input.id = campaignId;
            input.status = wanted.get();
            return campaigns.setStatus(page.caller(), input).flatMap(payload -> payload.userErrors().isEmpty()
                    ? Uni.createFrom().item(Response.seeOther(URI.create("/app/partner/campaigns?notice="
                            + payload.campaign().status().name().toLowerCase(Locale.ROOT))).build())
                    : campaigns(page, null, payload.userErrors()).map(Object.class::cast));
        });
    }

    private Uni<TemplateInstance> campaigns(WebPage page, String notice, List<UserError> errors) {
        return campaigns.campaigns(page.caller()).map(found -> page.in(Templates.campaigns(page,
                partners.byId(page.caller().partnerId()), found, UUID.randomUUID().toString(), notice, errors)));
    }

    private static Optional<CampaignStatus> status(String status) {
        try {
            return Optional.of(CampaignStatus.valueOf(status));
        } catch (IllegalArgumentException | NullPointerException unknown) {
            return Optional.empty();
        }
    }

    /** The notice after a redirect names the campaign's new status, and nothing else. */
    private static String notice(String notice) {
        return notice == null ? null : status(notice.toUpperCase(Locale.ROOT)).map(s -> s.name()).orElse(null);
    }
}
