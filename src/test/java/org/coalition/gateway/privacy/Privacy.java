package org.coalition.gateway.privacy;

import java.util.Map;

import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/** GraphQL calls of the privacy tests. */
final class Privacy {

    static final String OPERATOR = Tokens.withRoles("privacy-officer", "operator");
    static final String SET_CONSENT = """
            mutation($input: SetConsentInput!) {
              setConsent(input: $input) { consents { purpose partnerId granted changedAt channel recordedBy } userErrors { code field } }
            }""";
    static final String RECORD_CONSENT = """
            mutation($input: RecordConsentInput!) {
              recordConsent(input: $input) { consents { purpose partnerId granted changedAt channel recordedBy } userErrors { code field } }
            }""";
    static final String ERASE_MINE = """
            mutation($input: EraseMyAccountInput!) {
              eraseMyAccount(input: $input) {
                erasure { memberId erasedAt requestedBy pointsForfeited pointsDonated donatedTo holdsVoided }
                userErrors { code field message }
              }
            }""";
    static final String ERASE_MEMBER = """
            mutation($input: EraseMemberInput!) {
              eraseMember(input: $input) {
                erasure { memberId erasedAt requestedBy pointsForfeited pointsDonated donatedTo holdsVoided }
                userErrors { code field message }
              }
            }""";

    private Privacy() {
    }

    static JsonPath consent(String memberToken, String purpose, String partnerId, boolean granted) {
        Map<String, Object> input = new java.util.HashMap<>(Map.of("idempotencyKey", Fixtures.key(), "purpose", purpose, "granted", granted));
        if (partnerId != null) {
            input.put("partnerId", partnerId);
        }
        return GraphQl.call(memberToken, SET_CONSENT, Map.of("input", input));
    }

    static JsonPath eraseMine(String memberToken, String key, Map<String, Object> choice) {
        Map<String, Object> input = new java.util.HashMap<>(choice);
        input.put("idempotencyKey", key);
        return GraphQl.call(memberToken, ERASE_MINE, Map.of("input", input));
    }

    static JsonPath eraseMember(String memberId) {
        return GraphQl.call(OPERATOR, ERASE_MEMBER, Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "memberId", memberId)));
    }
}
