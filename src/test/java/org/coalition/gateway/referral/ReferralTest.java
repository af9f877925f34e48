package org.coalition.gateway.referral;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import org.coalition.gateway.ledger.LedgerAudit;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/** Members bring friends; the friend's first qualifying earn pays both, once; no self-referral, loops or overuse. */
@GatewayTest
class ReferralTest {

    static final String CODE = "{ myReferralCode { code referred rewarded remaining referrerPoints referredPoints } }";
    static final String APPLY = """
            mutation($input: ApplyReferralCodeInput!) {
              applyReferralCode(input: $input) { applied userErrors { code field message } }
            }""";
    static final String EARN = """
            mutation($input: EarnPointsInput!) {
              earnPoints(input: $input) {
                transaction { points } member { balance } bonuses { campaignId reason points } userErrors { code }
              }
            }""";
    static final String BALANCE = "query($ref: MemberRefInput!) { member(ref: $ref) { balance } }";

    @Inject
    LedgerAudit audit;

    /** A member with their own login. */
    record Person(EnrolledMember member, String token) {
    }

    @Test
    void aFriendsFirstQualifyingEarnPaysBothOnce() {
        Person referrer = person(FRESHMART);
        Person friend = person(FUELCO);
        String code = GraphQl.call(referrer.token(), CODE).getString("data.myReferralCode.code");
        int referrerBefore = balance(referrer);

        JsonPath applied = apply(friend, code);
        JsonPath tooSmall = earn(friend, "1.00");
        JsonPath first = earn(friend, "100.00");
        JsonPath second = earn(friend, "100.00");

        assertTrue(applied.getBoolean("data.applyReferralCode.applied"), applied::prettify);
        assertEquals(List.of(), tooSmall.getList("data.earnPoints.bonuses"), "an earn below the minimum does not qualify");
        assertEquals(List.of(Map.of("reason", "Welcome bonus: a friend referred you", "points", 250)),
                first.getList("data.earnPoints.bonuses").stream().map(ReferralTest::reasonAndPoints).toList());
        assertEquals(List.of(), second.getList("data.earnPoints.bonuses"), "once");
        assertEquals(referrerBefore + 500, balance(referrer));
        JsonPath referrerCode = GraphQl.call(referrer.token(), CODE);
        assertEquals(1, referrerCode.getInt("data.myReferralCode.referred"));
        assertEquals(1, referrerCode.getInt("data.myReferralCode.rewarded"));
        assertEquals(code, referrerCode.getString("data.myReferralCode.code"), "a member keeps their code");
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void nobodyRefersThemselvesOrTheirOwnReferrer() {
        Person first = person(FRESHMART);
        Person second = person(FRESHMART);
        String firstCode = GraphQl.call(first.token(), CODE).getString("data.myReferralCode.code");
        String secondCode = GraphQl.call(second.token(), CODE).getString("data.myReferralCode.code");

        assertEquals("SELF_REFERRAL", errorOf(apply(first, firstCode)));
        assertTrue(apply(second, firstCode).getBoolean("data.applyReferralCode.applied"));
        assertEquals("REFERRAL_LOOP", errorOf(apply(first, secondCode)), "first referred second: second cannot refer first");
        assertEquals("ALREADY_REFERRED", errorOf(apply(second, firstCode.toLowerCase())));
    }

    @Test
    void onlyNewMembersApplyCodesAndOnlyRealCodesApply() {
        Person referrer = person(FRESHMART);
        Person veteran = person(FRESHMART);
        earn(veteran, "20.00");
        String code = GraphQl.call(referrer.token(), CODE).getString("data.myReferralCode.code");

        assertEquals("NOT_A_NEW_MEMBER", errorOf(apply(veteran, code)));
        JsonPath unknown = apply(person(FRESHMART), "NOSUCH00");
        assertEquals("INVALID_INPUT", errorOf(unknown));
        assertEquals(List.of("input", "code"), unknown.getList("data.applyReferralCode.userErrors[0].field"));
    }

    @Test
    void aCodeServesAtMostTheConfiguredNumberOfFriends() {
        Person referrer = person(FRESHMART);
        String code = GraphQl.call(referrer.token(), CODE).getString("data.myReferralCode.code");
        int cap = GraphQl.call(referrer.token(), CODE).getInt("data.myReferralCode.remaining");

        for (int i = 0; i < cap; i++) {
            JsonPath applied = apply(person(FRESHMART), code);
            assertTrue(applied.getBoolean("data.applyReferralCode.applied"), applied::prettify);
        }
        JsonPath beyond = apply(person(FRESHMART), code);

        assertEquals("REFERRAL_CAP_REACHED", errorOf(beyond));
        assertFalse(beyond.getBoolean("data.applyReferralCode.applied"));
        assertEquals(0, GraphQl.call(referrer.token(), CODE).getInt("data.myReferralCode.remaining"));
    }

    private static Map<String, Object> reasonAndPoints(Object bonus) {
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) bonus;
        return Map.of("reason", fields.get("reason"), "points", fields.get("points"));
    }

    private static Person person(String enrollingPartner) {
        EnrolledMember member = Fixtures.enroll(enrollingPartner);
        return new Person(member, Fixtures.claim(member));
    }

    private static JsonPath apply(Person person, String code) {
        return GraphQl.call(person.token(), APPLY, Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "code", code)));
    }

    private static JsonPath earn(Person person, String amount) {
        JsonPath earned = GraphQl.call(Tokens.partner(FUELCO), EARN, Map.of("input", Fixtures.earnInput(person.member(), amount)));
        assertEquals(List.of(), earned.getList("data.earnPoints.userErrors"), earned::prettify);
        return earned;
    }

    private static int balance(Person person) {
        return GraphQl.call(Tokens.settlement(), BALANCE, Map.of("ref", person.member().ref())).getInt("data.member.balance");
    }

    private static String errorOf(JsonPath result) {
        return result.getString("data.applyReferralCode.userErrors[0].code");
    }
}
