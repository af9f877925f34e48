package org.coalition.gateway.earning;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.coalition.gateway.earning.EarnCalculator.Earned;
import org.coalition.gateway.partner.PartnerContract.EarnRules;

/** The arithmetic of earning: rate x amount x category multiplier, summed, rounded once, capped. */
class EarnCalculatorTest {

    private static final int NO_CAP = 10_000_000;

    @ParameterizedTest(name = "{0} points per unit x {1} = {2}")
    @CsvSource({
            "1,    20.00,  20",
            "2,    40.99,  81",
            "1.5,  20.00,  30",
            "0.25, 10.00,  2",
            "0,    99.99,  0",
            "3,    0.01,   0",
    })
    void pointsAreTheRateTimesTheAmountRoundedDown(String rate, String amount, int points) {
        assertEquals(new Earned(points, false), earn(rules(rate, RoundingMode.DOWN), amount));
    }

    @ParameterizedTest(name = "{0} x {1} rounded {2} = {3}")
    @CsvSource({
            "1.5, 20.99, DOWN,    31",
            "1.5, 20.99, HALF_UP, 31",
            "1.5, 21.00, DOWN,    31",
            "1.5, 21.00, HALF_UP, 32",
            "1.5, 20.33, DOWN,    30",
            "1.5, 20.33, HALF_UP, 30",
            "1.5, 20.34, HALF_UP, 31",
            "1,   0.49,  HALF_UP, 0",
            "1,   0.50,  HALF_UP, 1",
            "1,   0.99,  DOWN,    0",
    })
    void eachRoundingModeOfTheContractsIsApplied(String rate, String amount, RoundingMode rounding, int points) {
        assertEquals(points, earn(rules(rate, rounding), amount).points());
    }

    @Test
    void categoryMultipliersApplyPerLineAndTheLinesAreSummed() {
        EarnRules rules = rules("1.5", RoundingMode.DOWN, Map.of("organic", new BigDecimal("2"), "wine", new BigDecimal("0.5")));

        Earned earned = EarnCalculator.points(rules, new BigDecimal("60.00"), List.of(
                line("organic", "10.00"),
                line("wine", "20.00"),
                line(null, "30.00")));

        assertEquals(new Earned(30 + 15 + 45, false), earned, "10 x 1.5 x 2 + 20 x 1.5 x 0.5 + 30 x 1.5");
    }

    @Test
    void theBasketIsRoundedOnceSoNoLineLosesItsFraction() {
        EarnRules rules = rules("1", RoundingMode.DOWN, Map.of("organic", new BigDecimal("2")));
        PurchaseLineInput organic = line("organic", "1.25");
        PurchaseLineInput bread = line("bakery", "1.50");

        int roundedPerLine = earn(rules, organic).points() + earn(rules, bread).points();
        int roundedOnce = EarnCalculator.points(rules, new BigDecimal("2.75"), List.of(organic, bread)).points();

        assertEquals(3, roundedPerLine, "2.5 down to 2, plus 1.5 down to 1");
        assertEquals(4, roundedOnce, "2.5 + 1.5 = 4.0");
    }

    @Test
    void aCategoryTheContractDoesNotNameEarnsAtTheBaseRate() {
        EarnRules rules = rules("2", RoundingMode.DOWN, Map.of("carwash", new BigDecimal("3")));

        assertEquals(20, earn(rules, line("snacks", "10.00")).points());
        assertEquals(20, earn(rules, line(null, "10.00")).points(), "a line without a category too");
        assertEquals(60, earn(rules, line("carwash", "10.00")).points(), "while a named category is multiplied");
    }

    @Test
    void categoriesMatchRegardlessOfCase() {
        EarnRules rules = rules("1", RoundingMode.DOWN, Map.of("organic", new BigDecimal("2")));

        assertEquals(20, earn(rules, line("ORGANIC", "10.00")).points());
        assertEquals(20, earn(rules, line("Organic", "10.00")).points());
    }

    @Test
    void withoutLinesThePurchaseAmountEarnsAtTheBaseRate() {
        EarnRules rules = rules("1", RoundingMode.DOWN, Map.of("organic", new BigDecimal("2")));

        assertEquals(10, EarnCalculator.points(rules, new BigDecimal("10.00"), null).points());
        assertEquals(10, EarnCalculator.points(rules, new BigDecimal("10.00"), List.of()).points());
    }

    @Test
    void earningsAboveTheContractMaximumAreCappedAndReportedAsCapped() {
        EarnRules rules = new EarnRules("EUR", new BigDecimal("2"), RoundingMode.DOWN, Map.of(), 500, 12);

        assertEquals(new Earned(500, true), earn(rules, "1000.00"));
        assertEquals(new Earned(500, true), earn(rules, "250.50"), "501 is one over");
    }

    @Test
    void earningsExactlyAtTheMaximumAreNotCapped() {
        EarnRules rules = new EarnRules("EUR", new BigDecimal("2"), RoundingMode.DOWN, Map.of(), 500, 12);

        assertEquals(new Earned(500, false), earn(rules, "250.00"));
        assertEquals(new Earned(500, false), earn(rules, "250.49"), "500.98 rounds down to 500 before the cap is checked");
    }

    @Test
    void theCapAppliesToTheWholeBasketNotToEachLine() {
        EarnRules rules = new EarnRules("EUR", new BigDecimal("2"), RoundingMode.DOWN, Map.of("carwash", new BigDecimal("3")), 500, 12);
        PurchaseLineInput carwash = line("carwash", "51.00");
        PurchaseLineInput fuel = line("fuel", "100.00");

        assertEquals(new Earned(306, false), earn(rules, carwash), "each line alone is under the cap");
        assertEquals(new Earned(200, false), earn(rules, fuel));
        assertEquals(new Earned(500, true), EarnCalculator.points(rules, new BigDecimal("151.00"), List.of(carwash, fuel)),
                "51 x 2 x 3 + 100 x 2 = 506, capped at 500");
    }

    // ------------------------------------------------------------------ helpers

    private static EarnRules rules(String pointsPerUnit, RoundingMode rounding) {
        return rules(pointsPerUnit, rounding, Map.of());
    }

    private static EarnRules rules(String pointsPerUnit, RoundingMode rounding, Map<String, BigDecimal> multipliers) {
        return new EarnRules("EUR", new BigDecimal(pointsPerUnit), rounding, multipliers, NO_CAP, 24);
    }

    private static Earned earn(EarnRules rules, String amount) {
        return EarnCalculator.points(rules, new BigDecimal(amount), null);
    }

    private static Earned earn(EarnRules rules, PurchaseLineInput line) {
        return EarnCalculator.points(rules, line.amount, List.of(line));
    }

    private static PurchaseLineInput line(String category, String amount) {
        return new PurchaseLineInput(null, category, new BigDecimal(amount));
    }
}
