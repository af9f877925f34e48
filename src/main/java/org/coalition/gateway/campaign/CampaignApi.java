package org.coalition.gateway.campaign;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.campaign.CampaignTypes.Campaign;
import org.coalition.gateway.campaign.CampaignTypes.CampaignPayload;
import org.coalition.gateway.campaign.CampaignTypes.CreateCampaignInput;
import org.coalition.gateway.campaign.CampaignTypes.SetCampaignStatusInput;
import org.coalition.gateway.operations.OperationMetrics;
import org.coalition.gateway.shared.MutationBudget;
import org.coalition.gateway.tenancy.CurrentCaller;
import org.coalition.gateway.tenancy.ExplainedRefusals;

/** A partner's marketing team runs bonus campaigns funded from its own budget. */
@GraphQLApi
@ExplainedRefusals
@OperationMetrics
@MutationBudget
public class CampaignApi {

    private static final String MANAGE = "campaigns:manage";

    private final CampaignService campaigns;
    private final CurrentCaller caller;

    public CampaignApi(CampaignService campaigns, CurrentCaller caller) {
        this.campaigns = campaigns;
        this.caller = caller;
    }

    @Query("campaigns")
    @PermissionsAllowed(MANAGE)
    @Description("The calling partner's campaigns, newest first (200 at most).")
    public @NonNull Uni<List<@NonNull Campaign>> campaigns() {
        return caller.get().flatMap(campaigns::campaigns);
    }

    @Mutation("createCampaign")
    @PermissionsAllowed(MANAGE)
    public @NonNull Uni<CampaignPayload> createCampaign(@NonNull @Name("input") CreateCampaignInput input) {
        return caller.get().flatMap(c -> campaigns.create(c, input));
    }

    @Mutation("setCampaignStatus")
    @PermissionsAllowed(MANAGE)
    @Description("Pause, resume or end a campaign; an ended campaign stays ended.")
    public @NonNull Uni<CampaignPayload> setCampaignStatus(@NonNull @Name("input") SetCampaignStatusInput input) {
        return caller.get().flatMap(c -> campaigns.setStatus(c, input));
    }
}
