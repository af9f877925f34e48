package org.coalition.gateway.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class BonusRulesTest {

    private static final Instant START = Instant.parse("2026-11-28T00:00:00Z");
    private static final Instant END = Instant.parse("2026-11-30T00:00:00Z");
    private static final Instant SATURDAY_NOON = Instant.parse("2026-11-28T12:00:00Z");

    @Test
    void aCategoryMultiplierPaysTheExtraOnTheCategoryLinesOnlyRoundedDown() {
        ActiveCampaign doubleOrganic = campaign(CampaignRuleKind.CATEGORY_MULTIPLIER, "organic", "2", null, null);
        BonusRules.Basket basket = basket("30.00", List.of(new BonusRules.Line("Organic", new BigDecimal("10.99")),
                new BonusRules.Line(null, new BigDecimal("19.01"))), "1.5");

        assertEquals(16, BonusRules.candidatePoints(doubleOrganic, basket), "10.99 x 1.5 x (2 - 1) = 16.485");
    }

    @Test
    void aBasketBonusNeedsTheMinimumBasket() {
        ActiveCampaign bigBasket = campaign(CampaignRuleKind.BASKET_BONUS, null, null, "50.00", 500);

        assertEquals(500, BonusRules.candidatePoints(bigBasket, basket("50.00", List.of(), "1")));
        assertEquals(0, BonusRules.candidatePoints(bigBasket, basket("49.99", List.of(), "1")));
    }

    @Test
    void nothingOutsideTheWindowOrInAnotherCurrency() {
        ActiveCampaign bonus = campaign(CampaignRuleKind.FIRST_VISIT_BONUS, null, null, null, 200);
        BonusRules.Basket before = new BonusRules.Basket(START.minusMillis(1), BigDecimal.TEN, "EUR", List.of(), BigDecimal.ONE);
        BonusRules.Basket atEnd = new BonusRules.Basket(END, BigDecimal.TEN, "EUR", List.of(), BigDecimal.ONE);
        BonusRules.Basket dollars = new BonusRules.Basket(SATURDAY_NOON, BigDecimal.TEN, "USD", List.of(), BigDecimal.ONE);

        assertEquals(200, BonusRules.candidatePoints(bonus, basket("10", List.of(), "1")));
        assertEquals(0, BonusRules.candidatePoints(bonus, before));
        assertEquals(0, BonusRules.candidatePoints(bonus, atEnd), "the window ends before endsAt");
        assertEquals(0, BonusRules.candidatePoints(bonus, dollars));
    }

    @Test
    void budgetSlotsHoldAtLeastEightBonusesAndAreAtMostSixteen() {
        assertEquals(1, CampaignService.budgetSlots(1_000, 100));
        assertEquals(5, CampaignService.budgetSlots(2_000, 50));
        assertEquals(16, CampaignService.budgetSlots(10_000_000, 500));
        assertEquals(1, CampaignService.budgetSlots(10, 500));
    }

    private static ActiveCampaign campaign(CampaignRuleKind kind, String category, String multiplier, String minimumBasket,
            Integer bonusPoints) {
        return new ActiveCampaign(UUID.randomUUID(), "freshmart", "test", kind, category,
                multiplier == null ? null : new BigDecimal(multiplier), minimumBasket == null ? null : new BigDecimal(minimumBasket),
                bonusPoints, "EUR", START, END);
    }

    private static BonusRules.Basket basket(String amount, List<BonusRules.Line> lines, String pointsPerUnit) {
        return new BonusRules.Basket(SATURDAY_NOON, new BigDecimal(amount), "EUR", lines, new BigDecimal(pointsPerUnit));
    }
}
