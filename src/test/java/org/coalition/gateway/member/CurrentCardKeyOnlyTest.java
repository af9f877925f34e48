package org.coalition.gateway.member;

import static org.coalition.gateway.member.CardKeyRotationTest.KEY_A;
import static org.coalition.gateway.member.CardKeyRotationTest.KEY_B;
import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.tenancy.TenantSessions;

/** The gateway once the previous card key A is dropped: B alone finds the cards the rotation job moved, and no others. */
@GatewayTest
@TestProfile(CurrentCardKeyOnlyTest.CardKeyBAlone.class)
class CurrentCardKeyOnlyTest {

    public static class CardKeyBAlone implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coalition.privacy.card-key", KEY_B, "coalition.privacy.card-rotation-interval", "1h");
        }
    }

    @Inject
    TenantSessions sessions;

    @Inject
    CoalitionConfig config;

    @Test
    void aCardMovedByTheRotationJobIsFoundWithTheCurrentKeyAlone() {
        EnrolledMember member = CardKeyRotationTest.storedUnder(new CardTokens(KEY_A, false), true);
        JsonPath unmoved = Fixtures.earn(FRESHMART, Fixtures.earnInput(member, "10.00"));
        assertEquals("MEMBER_NOT_FOUND", unmoved.getString("data.earnPoints.userErrors[0].code"), unmoved::prettify);

        // the job as a replica still configured with the previous key runs it, before that key is dropped
        CardKeyRotationTest.moveAll(new CardKeyRotation(sessions, new CardTokens(KEY_B, List.of(KEY_A), false), config));

        Fixtures.earnOk(FRESHMART, member, "10.00");
        assertEquals(member.cardNumber(), CardKeyRotationTest.cardShownTo(Fixtures.claim(member)));
    }
}
