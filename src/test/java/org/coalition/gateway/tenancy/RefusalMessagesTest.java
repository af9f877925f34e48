package org.coalition.gateway.tenancy;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.inject.Any;

import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.junit.jupiter.api.Test;

import io.quarkus.arc.Arc;
import io.quarkus.security.PermissionsAllowed;
import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/**
 * A refused call tells the partner's developer what was refused and what it needs, where smallrye-graphql would say
 * "System error": Quarkus's permission checks throw without a message, and smallrye hides the message of any exception
 * not listed as shown.
 */
@GatewayTest
class RefusalMessagesTest {

    @Test
    void aTokenWithoutTheScopeIsToldWhichPermissionTheOperationNeeds() {
        Fixtures.EnrolledMember member = Fixtures.enroll(FRESHMART);

        JsonPath refused = GraphQl.call(Tokens.partner(FRESHMART, "members:read"), Fixtures.EARN,
                Map.of("input", Fixtures.earnInput(member, "10.00")));

        assertEquals("FORBIDDEN", refused.getString("errors[0].extensions.reason"), refused::prettify);
        assertEquals("earnPoints needs the permission points:earn, which this caller does not have",
                refused.getString("errors[0].message"), refused::prettify);
        assertNull(refused.get("data.earnPoints"), refused::prettify);
    }

    @Test
    void aRefusalThatExplainsItselfKeepsItsOwnMessage() {
        Fixtures.EnrolledMember member = Fixtures.enroll(FRESHMART);

        JsonPath refused = GraphQl.call(Tokens.partner(FRESHMART), "query($ref: MemberRefInput!) { member(ref: $ref) { pointsByIssuer { points } } }",
                Map.of("ref", member.ref()));

        assertEquals("FORBIDDEN", refused.getString("errors[0].extensions.reason"), refused::prettify);
        assertEquals("pointsByIssuer is visible to the member and the settlement team only", refused.getString("errors[0].message"),
                refused::prettify);
    }

    @Test
    void everyGraphQlApiExplainsItsRefusals() {
        List<Class<?>> apis = Arc.container().beanManager().getBeans(Object.class, Any.Literal.INSTANCE).stream()
                .<Class<?>>map(bean -> bean.getBeanClass())
                .filter(type -> type.isAnnotationPresent(GraphQLApi.class) && !testOnly(type))
                .distinct().toList();

        assertTrue(apis.size() >= 15, () -> "the GraphQL APIs were not found: " + apis);
        apis.forEach(api -> assertTrue(api.isAnnotationPresent(ExplainedRefusals.class),
                () -> api.getSimpleName() + " answers refusals with \"System error\": annotate it @ExplainedRefusals"));
    }

    /** An API the tests add to the schema (fault injection), not one partners call. */
    private static boolean testOnly(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation().getPath().contains("test-classes");
    }

    @Test
    void anOperationThatTakesAnyOfSeveralPermissionsNamesThemAll() throws NoSuchMethodException {
        Method method = Operations.class.getDeclaredMethod("statement");

        assertEquals("statement needs one of the permissions settlement:read or settlement:manage, which this caller does not have",
                RefusalExplainer.explanationOf(method));
    }

    @Test
    void anOperationThatTakesAllOfSeveralPermissionsSaysSo() throws NoSuchMethodException {
        Method method = Operations.class.getDeclaredMethod("closePeriod");

        assertEquals("closePeriod needs the permissions settlement:manage and program:manage, which this caller does not have",
                RefusalExplainer.explanationOf(method));
    }

    /** Shapes of annotation the explanation reads (the real APIs hold each). */
    static class Operations {
        @PermissionsAllowed({ "settlement:read", "settlement:manage" })
        void statement() {
        }

        @Mutation("closePeriod")
        @PermissionsAllowed(value = { "settlement:manage", "program:manage" }, inclusive = true)
        void closePeriod() {
        }
    }
}
