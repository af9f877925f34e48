package org.coalition.gateway.privacy;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;
import org.coalition.gateway.tenancy.TenantSessions;

@GatewayTest
class ConsentTest {

    private static final String MY_CONSENTS = "{ me { consents { purpose partnerId granted channel recordedBy } } }";

    @Inject
    TenantSessions sessions;

    @Test
    void consentIsOptInAndTheMemberGivesAndWithdrawsItPerPurpose() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String token = Fixtures.claim(member);
        assertEquals(List.of(), GraphQl.call(token, MY_CONSENTS).getList("data.me.consents"), "nothing is allowed until given");
        assertEquals(false, consentsTo(member, "PERSONALISED_OFFERS", ""));

        Fixtures.setConsent(token, "PERSONALISED_OFFERS", true);
        JsonPath marketing = Privacy.consent(token, "MARKETING_CONTACT", "fuelco", true);

        assertEquals(List.of(), marketing.getList("data.setConsent.userErrors"));
        assertEquals(List.of(Map.of("purpose", "MARKETING_CONTACT", "partnerId", "fuelco", "granted", true, "channel", "APP",
                        "recordedBy", "MEMBER"),
                Map.of("purpose", "PERSONALISED_OFFERS", "granted", true, "channel", "APP", "recordedBy", "MEMBER")),
                withoutNulls(GraphQl.call(token, MY_CONSENTS).getList("data.me.consents")));
        assertEquals(true, consentsTo(member, "PERSONALISED_OFFERS", ""));
        assertEquals(true, consentsTo(member, "MARKETING_CONTACT", "fuelco"));
        assertEquals(false, consentsTo(member, "MARKETING_CONTACT", "freshmart"), "each partner is asked on its own");

        Fixtures.setConsent(token, "PERSONALISED_OFFERS", false);

        assertEquals(false, consentsTo(member, "PERSONALISED_OFFERS", ""), "a withdrawal counts at once");
        assertEquals(2L, history(member), "every change is kept as proof");
    }

    @Test
    void marketingConsentNamesAPartnerAndTheOtherPurposesDoNot() {
        String token = Fixtures.claim(Fixtures.enroll(FRESHMART));

        assertEquals("PARTNER_NOT_FOUND", Privacy.consent(token, "MARKETING_CONTACT", null, true)
                .getString("data.setConsent.userErrors[0].code"));
        assertEquals("INVALID_INPUT", Privacy.consent(token, "ANALYTICS", "fuelco", true)
                .getString("data.setConsent.userErrors[0].code"));
        assertEquals(List.of(), GraphQl.call(token, MY_CONSENTS).getList("data.me.consents"), "a refused change writes nothing");
    }

    @Test
    void aPartnerRecordsAConsentGivenAtItsTillWithTimeAndChannel() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String token = Fixtures.claim(member);
        Instant givenAt = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);

        JsonPath recorded = record(Tokens.partner(FRESHMART), member, "MARKETING_CONTACT", givenAt);

        assertEquals(List.of(), recorded.getList("data.recordConsent.userErrors"), recorded::prettify);
        assertEquals(Map.of("purpose", "MARKETING_CONTACT", "partnerId", "freshmart", "granted", true, "channel", "STORE",
                "recordedBy", "freshmart"), withoutNulls(GraphQl.call(token, MY_CONSENTS).getList("data.me.consents")).get(0));
        assertEquals(givenAt, Instant.parse(recorded.getString("data.recordConsent.consents[0].changedAt")));
        assertEquals("INVALID_INPUT", record(Tokens.partner(FRESHMART), member, "ANALYTICS",
                Instant.now().minus(40, ChronoUnit.DAYS)).getString("data.recordConsent.userErrors[0].code"));
        assertEquals("FORBIDDEN", record(Tokens.partner(FRESHMART, "points:earn members:read"), member, "ANALYTICS", givenAt)
                .getString("errors[0].extensions.reason"), "recording needs the consents:record scope");
        assertEquals("FORBIDDEN", GraphQl.call(Tokens.partner(FRESHMART), "query($r: MemberRefInput!) { member(ref: $r) { consents { purpose } } }",
                Map.of("r", member.ref())).getString("errors[0].extensions.reason"), "partners do not read consents");
    }

    private static JsonPath record(String partnerToken, EnrolledMember member, String purpose, Instant givenAt) {
        return GraphQl.call(partnerToken, Privacy.RECORD_CONSENT, Map.of("input", Map.of("idempotencyKey", Fixtures.key(),
                "member", member.ref(), "purpose", purpose, "granted", true, "channel", "STORE", "givenAt", givenAt.toString())));
    }

    private static List<Map<String, Object>> withoutNulls(List<Map<String, Object>> rows) {
        return rows.stream().map(row -> {
            Map<String, Object> kept = new java.util.LinkedHashMap<>(row);
            kept.values().removeIf(java.util.Objects::isNull);
            return kept;
        }).toList();
    }

    private boolean consentsTo(EnrolledMember member, String purpose, String partner) {
        return sessions.asSystem(connection -> connection.preparedQuery("select member_consents_to($1, $2, $3) as yes")
                .execute(Tuple.of(UUID.fromString(member.id()), purpose, partner))).await().indefinitely().iterator().next().getBoolean("yes");
    }

    private long history(EnrolledMember member) {
        long count = sessions.asSystem(connection -> connection.preparedQuery(
                        "select count(*) as n from member_consent_events where member_id = $1 and purpose = 'PERSONALISED_OFFERS'")
                .execute(Tuple.of(UUID.fromString(member.id())))).await().indefinitely().iterator().next().getLong("n");
        assertTrue(count >= 0);
        return count;
    }
}
