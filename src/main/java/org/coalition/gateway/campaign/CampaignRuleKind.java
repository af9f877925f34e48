package org.coalition.gateway.campaign;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Enum;

@Enum("CampaignRuleKind")
public enum CampaignRuleKind {
    @Description("Extra points on basket lines of one category: multiplier 2 doubles what those lines earn.")
    CATEGORY_MULTIPLIER,
    @Description("bonusPoints on a basket of at least minimumBasket.")
    BASKET_BONUS,
    @Description("bonusPoints the first time a member enrolled by another partner earns at this partner (cross-brand acquisition).")
    FIRST_VISIT_BONUS
}
