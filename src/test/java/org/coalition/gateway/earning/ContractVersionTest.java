package org.coalition.gateway.earning;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;

@GatewayTest
class ContractVersionTest {

    @Test
    void aPurchaseThatOccurredBeforeTheRateChangeEarnsAtTheOldRate() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Map<String, Object> input = Fixtures.earnInput(member, "20.99");
        input.put("occurredAt", "2026-03-14T10:15:30Z");

        JsonPath result = Fixtures.earn(FRESHMART, input);

        assertEquals(List.of(), result.getList("data.earnPoints.userErrors"));
        assertEquals(20, result.getInt("data.earnPoints.transaction.points"), "version 1: 1 point per euro, rounded down");
        assertEquals("2026-03-14T10:15:30Z", result.getString("data.earnPoints.transaction.occurredAt"));
    }

    @Test
    void theCurrentVersionRoundsHalfUp() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);

        assertEquals(31, Fixtures.earnOk(FRESHMART, member, "20.99"), "version 2: 1.5 x 20.99 = 31.485, half up to 31");
        assertEquals(32, Fixtures.earnOk(FRESHMART, member, "21.00"), "1.5 x 21.00 = 31.5, half up to 32");
    }

    @Test
    void earningsAboveTheContractMaximumAreCappedAtIt() {
        EnrolledMember member = Fixtures.enroll(FUELCO);

        JsonPath result = Fixtures.earn(FUELCO, Fixtures.earnInput(member, "1000.00"));

        assertEquals(500, result.getInt("data.earnPoints.transaction.points"));
        assertEquals(500, result.getInt("data.earnPoints.member.balance"));
    }

    @Test
    void aPurchaseTooSmallToEarnIsRecordedWithZeroPoints() {
        EnrolledMember member = Fixtures.enroll(FUELCO);

        JsonPath result = Fixtures.earn(FUELCO, Fixtures.earnInput(member, "0.40"));

        assertEquals(List.of(), result.getList("data.earnPoints.userErrors"));
        assertEquals(0, result.getInt("data.earnPoints.transaction.points"));
        assertTrue(result.getString("data.earnPoints.transaction.id").length() > 0);
        assertEquals(0, result.getInt("data.earnPoints.member.balance"));
    }
}
