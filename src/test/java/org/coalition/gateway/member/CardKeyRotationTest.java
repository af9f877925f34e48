package org.coalition.gateway.member;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.EmbeddedPostgresResource;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/**
 * The gateway after the card key was rotated from A (the key the other tests run with) to B: cards stored under A
 * are still found, opened and refused as duplicates, and the rotation job moves them to B.
 */
@GatewayTest
@TestProfile(CardKeyRotationTest.RotatedCardKey.class)
class CardKeyRotationTest {

    static final String KEY_A = CardTokens.DEV_KEY;
    static final String KEY_B = "card-key-rotation-test-key-b-0123456789abcdef";
    static final String OPERATOR = Tokens.withRoles("privacy-officer", "operator");
    private static final String STATUS = "{ cardKeyRotation { currentKey previousKeys remaining stuck } }";

    /** Current key B, previous key A; the job runs only when a test asks. */
    public static class RotatedCardKey implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coalition.privacy.card-key", KEY_B, "coalition.privacy.previous-card-keys", KEY_A,
                    "coalition.privacy.card-rotation-interval", "1h");
        }
    }

    @Inject
    CardKeyRotation rotation;

    @Test
    void aCardStoredUnderThePreviousKeyEarnsRedeemsAndIsLookedUpByCard() {
        EnrolledMember member = storedUnder(new CardTokens(KEY_A, false), false);

        int earned = Fixtures.earnOk(FRESHMART, member, "1000.00");
        JsonPath redeemed = Fixtures.redeem(FUELCO, Fixtures.redeemInput(member, 100));
        assertEquals(List.of(), redeemed.getList("data.redeemPoints.userErrors"), redeemed::prettify);
        JsonPath found = GraphQl.call(Tokens.partner(FRESHMART), "query($ref: MemberRefInput!) { member(ref: $ref) { id balance } }",
                Map.of("ref", member.ref()));
        assertEquals(member.id(), found.getString("data.member.id"), found::prettify);
        assertEquals(earned - 100, found.getInt("data.member.balance"));
    }

    @Test
    void enrollingACardStoredUnderThePreviousKeyIsADuplicate() {
        EnrolledMember member = storedUnder(new CardTokens(KEY_A, false), true);

        JsonPath again = GraphQl.call(Tokens.partner(FUELCO), Fixtures.ENROLL,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "cardNumber", member.cardNumber())));

        assertNull(again.get("data.enrollMember.member"), again::prettify);
        assertEquals("INVALID_INPUT", again.getString("data.enrollMember.userErrors[0].code"));
        assertEquals(List.of("input", "cardNumber"), again.getList("data.enrollMember.userErrors[0].field"));
    }

    @Test
    void theRotationJobMovesSealedCardsToTheCurrentKeyAndTheirMembersStillSeeTheirCard() {
        EnrolledMember member = storedUnder(new CardTokens(KEY_A, false), true);
        String login = Fixtures.claim(member);
        assertEquals(member.cardNumber(), cardShownTo(login), "the QR card opens with the previous key");
        JsonPath before = GraphQl.call(OPERATOR, STATUS);
        assertEquals(List.of(new CardTokens(KEY_A, false).keyId()), before.getList("data.cardKeyRotation.previousKeys"), before::prettify);
        assertEquals(new CardTokens(KEY_B, false).keyId(), before.getString("data.cardKeyRotation.currentKey"));
        assertEquals(true, before.getInt("data.cardKeyRotation.remaining") >= 1, before::prettify);

        moveAll(rotation);

        CardTokens bAlone = new CardTokens(KEY_B, false);
        StoredCard stored = storedCard(member);
        assertEquals(bAlone.token(member.cardNumber()), stored.token());
        assertEquals(bAlone.keyId(), stored.key());
        assertEquals(member.cardNumber(), bAlone.open(stored.sealed()));
        assertEquals(0, GraphQl.call(OPERATOR, STATUS).getInt("data.cardKeyRotation.remaining"));
        assertEquals(member.cardNumber(), cardShownTo(login));
        Fixtures.earnOk(FRESHMART, member, "10.00");
    }

    static void moveAll(CardKeyRotation rotation) {
        for (int run = 0; run < 100 && rotation.moveBatch().await().indefinitely() > 0; run++) {
            // each run moves one batch
        }
    }

    static String cardShownTo(String memberLogin) {
        return GraphQl.call(memberLogin, "{ me { cardNumber } }").getString("data.me.cardNumber");
    }

    /** A member as stored before the rotation, under {@code key}: with a sealed copy, or as enrolled before sealing existed. */
    static EnrolledMember storedUnder(CardTokens key, boolean sealed) {
        UUID id = UUID.randomUUID();
        String card = Fixtures.newCardNumber();
        try (Connection sql = DriverManager.getConnection(EmbeddedPostgresResource.jdbcUrl());
                PreparedStatement insert = sql.prepareStatement("""
                        with account as (insert into accounts (kind, member_id) values ('MEMBER', ?) returning id)
                        insert into members (id, card_number, account_id, card_sealed) select ?, ?, account.id, ? from account
                        """)) {
            insert.setObject(1, id);
            insert.setObject(2, id);
            insert.setString(3, key.token(card));
            insert.setString(4, sealed ? key.seal(card) : null);
            assertEquals(1, insert.executeUpdate());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return new EnrolledMember(id.toString(), card);
    }

    record StoredCard(String token, String sealed, String key) {
    }

    static StoredCard storedCard(EnrolledMember member) {
        try (Connection sql = DriverManager.getConnection(EmbeddedPostgresResource.jdbcUrl());
                PreparedStatement select = sql.prepareStatement("select card_number, card_sealed, card_key from members where id = ?")) {
            select.setObject(1, UUID.fromString(member.id()));
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return new StoredCard(row.getString(1), row.getString(2), row.getString(3));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
