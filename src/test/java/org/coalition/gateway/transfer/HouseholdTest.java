package org.coalition.gateway.transfer;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.transfer.Transfers.household;
import static org.coalition.gateway.transfer.Transfers.person;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.transfer.Transfers.Person;

@GatewayTest
class HouseholdTest {

    static final String CREATE = """
            mutation($input: CreateHouseholdInput!) {
              createHousehold(input: $input) { household { id members { cardNumber } maxMembers } userErrors { code field } }
            }""";
    static final String INVITE = """
            mutation($input: InviteToHouseholdInput!) {
              inviteToHousehold(input: $input) { invitation { id status inviteeCardNumber } userErrors { code field } }
            }""";
    static final String JOIN = """
            mutation($input: HouseholdInvitationInput!) {
              joinHousehold(input: $input) { household { id members { cardNumber } } userErrors { code field } }
            }""";
    static final String DECLINE = """
            mutation($input: HouseholdInvitationInput!) {
              declineHouseholdInvitation(input: $input) { invitation { id status } userErrors { code field } }
            }""";
    static final String LEAVE = """
            mutation($input: LeaveHouseholdInput!) { leaveHousehold(input: $input) { household { id } userErrors { code } } }""";
    static final String MINE = """
            { myHousehold { household { id members { cardNumber } pendingInvitations { id inviteeCardNumber } }
                            invitationsReceived { id invitedByCardNumber } } }""";

    /** Two members in one household, the first its creator. */
    static void householdOf(Person first, Person... others) {
        assertEquals(List.of(), household(CREATE, first, Map.of()).getList("data.createHousehold.userErrors"));
        for (Person other : others) {
            String invitation = household(INVITE, first, Map.of("cardNumber", other.card()))
                    .getString("data.inviteToHousehold.invitation.id");
            assertEquals(List.of(), household(JOIN, other, Map.of("invitationId", invitation)).getList("data.joinHousehold.userErrors"));
        }
    }

    @Test
    void aMemberCreatesAHouseholdInvitesAnotherWhoJoinsAndLeaves() {
        Person ann = person(FRESHMART);
        Person bob = person(FRESHMART);

        JsonPath created = household(CREATE, ann, Map.of());
        assertEquals(List.of(ann.shownCard()), created.getList("data.createHousehold.household.members.cardNumber"));
        assertEquals(6, created.getInt("data.createHousehold.household.maxMembers"));
        JsonPath invited = household(INVITE, ann, Map.of("cardNumber", bob.card()));
        String invitation = invited.getString("data.inviteToHousehold.invitation.id");
        assertEquals("PENDING", invited.getString("data.inviteToHousehold.invitation.status"));
        assertEquals(List.of(bob.shownCard()), GraphQl.call(ann.token(), MINE).getList("data.myHousehold.household.pendingInvitations.inviteeCardNumber"));
        JsonPath bobSees = GraphQl.call(bob.token(), MINE);
        assertNull(bobSees.get("data.myHousehold.household"));
        assertEquals(List.of(ann.shownCard()), bobSees.getList("data.myHousehold.invitationsReceived.invitedByCardNumber"));

        JsonPath joined = household(JOIN, bob, Map.of("invitationId", invitation));

        assertEquals(List.of(), joined.getList("data.joinHousehold.userErrors"));
        assertEquals(List.of(ann.shownCard(), bob.shownCard()), joined.getList("data.joinHousehold.household.members.cardNumber"));
        assertEquals(List.of(ann.shownCard(), bob.shownCard()), GraphQl.call(ann.token(), MINE).getList("data.myHousehold.household.members.cardNumber"));
        assertEquals(List.of(), GraphQl.call(ann.token(), MINE).getList("data.myHousehold.household.pendingInvitations"));

        assertEquals(List.of(), household(LEAVE, bob, Map.of()).getList("data.leaveHousehold.userErrors"));
        assertNull(GraphQl.call(bob.token(), MINE).get("data.myHousehold.household"));
        assertEquals(List.of(ann.shownCard()), GraphQl.call(ann.token(), MINE).getList("data.myHousehold.household.members.cardNumber"));
    }

    @Test
    void aMemberBelongsToOneHouseholdAtMostAndADeclinedInvitationIsGone() {
        Person ann = person(FRESHMART);
        Person bob = person(FRESHMART);
        Person cid = person(FRESHMART);
        householdOf(ann, bob);

        assertEquals("ALREADY_IN_HOUSEHOLD", household(CREATE, bob, Map.of()).getString("data.createHousehold.userErrors[0].code"));
        assertEquals("ALREADY_IN_HOUSEHOLD", household(INVITE, ann, Map.of("cardNumber", bob.card()))
                .getString("data.inviteToHousehold.userErrors[0].code"));
        assertEquals("HOUSEHOLD_NOT_FOUND", household(INVITE, cid, Map.of("cardNumber", ann.card()))
                .getString("data.inviteToHousehold.userErrors[0].code"));
        String invitation = household(INVITE, ann, Map.of("cardNumber", cid.card())).getString("data.inviteToHousehold.invitation.id");

        Person dee = person(FRESHMART);
        assertEquals("INVITATION_NOT_FOUND", household(JOIN, dee, Map.of("invitationId", invitation))
                .getString("data.joinHousehold.userErrors[0].code"), "only the invitee answers");
        assertEquals("DECLINED", household(DECLINE, cid, Map.of("invitationId", invitation))
                .getString("data.declineHouseholdInvitation.invitation.status"));
        assertEquals("INVITATION_NOT_FOUND", household(JOIN, cid, Map.of("invitationId", invitation))
                .getString("data.joinHousehold.userErrors[0].code"));
        assertEquals("INVALID_INPUT", household(JOIN, cid, Map.of("invitationId", "not-an-id"))
                .getString("data.joinHousehold.userErrors[0].code"));
    }

    @Test
    void aHouseholdHasAtMostSixMembers() {
        Person first = person(FRESHMART);
        Person[] five = new Person[5];
        for (int i = 0; i < five.length; i++) {
            five[i] = person(FRESHMART);
        }
        householdOf(first, five);
        Person seventh = person(FRESHMART);
        String invitation = household(INVITE, first, Map.of("cardNumber", seventh.card())).getString("data.inviteToHousehold.invitation.id");

        JsonPath refused = household(JOIN, seventh, Map.of("invitationId", invitation));

        assertEquals("HOUSEHOLD_FULL", refused.getString("data.joinHousehold.userErrors[0].code"));
        assertEquals(6, GraphQl.call(first.token(), MINE).getList("data.myHousehold.household.members").size());
        assertNull(GraphQl.call(seventh.token(), MINE).get("data.myHousehold.household"));
    }
}
