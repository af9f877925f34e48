package org.coalition.gateway.earning;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.EmbeddedPostgresResource;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;

@GatewayTest
class EarnPointsTest {

    @Test
    void aPurchaseEarnsPointsAtTheContractRateOfThePartner() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);

        JsonPath result = Fixtures.earn(FRESHMART, Fixtures.earnInput(member, "20.00"));

        assertEquals(List.of(), result.getList("data.earnPoints.userErrors"));
        assertEquals("EARN", result.getString("data.earnPoints.transaction.kind"));
        assertEquals(30, result.getInt("data.earnPoints.transaction.points"), "1.5 points per euro since July");
        assertEquals("freshmart", result.getString("data.earnPoints.transaction.partner.id"));
        assertEquals(member.id(), result.getString("data.earnPoints.transaction.member.id"));
        assertEquals(30, result.getInt("data.earnPoints.member.balance"));
        assertNotNull(result.getString("data.earnPoints.transaction.postedAt"));
    }

    @Test
    void anotherPartnerEarnsAtItsOwnRate() {
        EnrolledMember member = Fixtures.enroll(FUELCO);

        assertEquals(81, Fixtures.earnOk(FUELCO, member, "40.99"), "2 points per euro, rounded down");
    }

    @Test
    void basketLinesApplyCategoryMultipliers() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Map<String, Object> input = Fixtures.earnInput(member, "30.00");
        input.put("lines", List.of(
                Map.of("sku", "apples", "category", "organic", "amount", 10),
                Map.of("sku", "bread", "amount", 20)));

        JsonPath result = Fixtures.earn(FRESHMART, input);

        assertEquals(List.of(), result.getList("data.earnPoints.userErrors"));
        assertEquals(60, result.getInt("data.earnPoints.transaction.points"), "10 x 1.5 x 2 + 20 x 1.5");
    }

    @Test
    void theEntryAndItsSettlementRecordHaveTimeOrderedIds() throws Exception {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String entryId = Fixtures.earn(FRESHMART, Fixtures.earnInput(member, "20.00")).getString("data.earnPoints.transaction.id");

        assertEquals(7, UUID.fromString(entryId).version(), entryId);
        try (Connection sql = DriverManager.getConnection(EmbeddedPostgresResource.jdbcUrl());
             PreparedStatement records = sql.prepareStatement("select id from settlement_records where entry_id = ?::uuid")) {
            records.setString(1, entryId);
            ResultSet rows = records.executeQuery();
            assertTrue(rows.next(), "the earn's issuance fee");
            UUID recordId = UUID.fromString(rows.getString("id"));
            assertEquals(7, recordId.version(), recordId.toString());
            assertEquals(2, recordId.variant(), recordId.toString());
            long recordMillis = recordId.getMostSignificantBits() >>> 16;
            long entryMillis = UUID.fromString(entryId).getMostSignificantBits() >>> 16;
            assertTrue(Math.abs(recordMillis - entryMillis) < 60_000, "both carry the moment of the earn");
        }
    }
}
