package org.coalition.gateway.transfer;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.coalition.gateway.transfer.HouseholdTest.householdOf;
import static org.coalition.gateway.transfer.Transfers.ACCEPT;
import static org.coalition.gateway.transfer.Transfers.answer;
import static org.coalition.gateway.transfer.Transfers.person;
import static org.coalition.gateway.transfer.Transfers.reverse;
import static org.coalition.gateway.transfer.Transfers.transfer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import org.coalition.gateway.ledger.LedgerAudit;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;
import org.coalition.gateway.transfer.Transfers.Person;

/**
 * A transfer's journal entries name the sender; the recipient still finds the transfer and its reversal in their own
 * history, signed for them, and nobody else does.
 */
@GatewayTest
class ReceivedTransfersHistoryTest {

    private static final String OPERATOR_PARTNER = "coalition-operator";
    private static final String MY_HISTORY = """
            query($filter: TransactionFilter, $first: Int, $after: String) {
              me { transactions(filter: $filter, first: $first, after: $after) {
                edges { node { id kind points member { id } partner { id } reverses { id kind points } } }
                pageInfo { hasNextPage endCursor }
              } }
            }""";
    private static final String HISTORY_OF = """
            query($ref: MemberRefInput!) {
              member(ref: $ref) { transactions(first: 50) { edges { node { id kind points member { id } } } } }
            }""";
    private static final String ONE = """
            query($id: ID!) { transaction(id: $id) { id kind points member { id } } }""";
    private static final String OPERATOR = Tokens.withRoles("ops-admin", "operator");

    @Inject
    LedgerAudit audit;
    @Inject
    TenantSessions sessions;

    @AfterEach
    void theLedgerStaysSound() {
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void theRecipientSeesAHouseholdTransferAndItsReversalSignedForThemAndOnlyThey() {
        Person ann = person(FRESHMART, "100.00");
        Person bob = person(FUELCO, "10.00");
        Person cid = person(FRESHMART, "10.00");
        householdOf(ann, bob);
        String annEarn = history(ann, Map.of()).getString("me.transactions.edges[0].node.id");

        JsonPath sent = transfer(ann, bob, 50);
        String transferId = sent.getString("data.transferPoints.transfer.id");
        String transferTx = sent.getString("data.transferPoints.transfer.transactionId");
        assertEquals(List.of(), Fixtures.redeem(FRESHMART, Fixtures.redeemInput(bob.member(), 20)).getList("data.redeemPoints.userErrors"));
        JsonPath reversed = reverse(OPERATOR, transferId);
        assertEquals(List.of(), reversed.getList("data.reverseTransfer.userErrors"));
        String reversalTx = reversed.getString("data.reverseTransfer.transfer.reversalTransactionId");
        int taken = 50 - reversed.getInt("data.reverseTransfer.transfer.reversalShortfall");
        assertTrue(taken > 0);

        JsonPath bobs = history(bob, Map.of());
        assertEquals(List.of("REVERSAL " + -taken, "REDEMPTION -20", "TRANSFER 50", "EARN"), lines(bobs), "newest first");
        List<String> bobIds = bobs.getList("me.transactions.edges.node.id");
        assertEquals(reversalTx, bobIds.get(0));
        assertEquals(transferTx, bobIds.get(2));
        assertEquals(Set.of(bob.member().id()), Set.copyOf(bobs.<String>getList("me.transactions.edges.node.member.id")));
        assertEquals(OPERATOR_PARTNER, bobs.getString("me.transactions.edges[0].node.partner.id"));
        assertEquals(OPERATOR_PARTNER, bobs.getString("me.transactions.edges[2].node.partner.id"));
        assertEquals(Map.of("id", transferTx, "kind", "TRANSFER", "points", 50), bobs.getMap("me.transactions.edges[0].node.reverses"),
                "the reversal names the transfer as the recipient sees it");

        JsonPath anns = history(ann, Map.of());
        assertEquals(List.of("REVERSAL " + taken, "TRANSFER -50", "EARN"), lines(anns), "the sender's side as before");
        assertEquals(List.of(reversalTx, transferTx, annEarn), anns.getList("me.transactions.edges.node.id"));
        assertEquals(Set.of(ann.member().id()), Set.copyOf(anns.<String>getList("me.transactions.edges.node.member.id")));

        assertEquals(lines(bobs), lines(GraphQl.call(OPERATOR, HISTORY_OF, Map.of("ref", bob.member().ref())), "data.member"),
                "an operator reads the recipient's history as the recipient does");
        assertEquals(List.of("REDEMPTION -20"),
                lines(GraphQl.call(Tokens.partner(FRESHMART), HISTORY_OF, Map.of("ref", bob.member().ref())), "data.member"),
                "a partner still reads only its own transactions of the member");
        assertEquals(Map.of("id", transferTx, "kind", "TRANSFER", "points", 50, "member", Map.of("id", bob.member().id())),
                GraphQl.call(bob.token(), ONE, Map.of("id", transferTx)).getMap("data.transaction"));
        assertEquals(-50, GraphQl.call(ann.token(), ONE, Map.of("id", transferTx)).getInt("data.transaction.points"));

        List<String> cids = history(cid, Map.of()).getList("me.transactions.edges.node.id");
        assertEquals(1, cids.size());
        assertFalse(cids.contains(transferTx) || cids.contains(reversalTx));
        assertNull(GraphQl.call(cid.token(), ONE, Map.of("id", transferTx)).get("data.transaction"));
        assertNull(GraphQl.call(cid.token(), ONE, Map.of("id", reversalTx)).get("data.transaction"));
    }

    @Test
    void theRecipientsFiltersAndPagesCoverWhatTheyReceived() {
        Person ann = person(FRESHMART, "100.00");
        Person bob = person(FUELCO, "10.00");
        householdOf(ann, bob);
        String transferTx = transfer(ann, bob, 30).getString("data.transferPoints.transfer.transactionId");
        String secondTx = transfer(ann, bob, 5).getString("data.transferPoints.transfer.transactionId");
        Fixtures.earnOk(FUELCO, bob.member(), "10.00");
        String reversalTx = reverse(OPERATOR, transfer(ann, bob, 7).getString("data.transferPoints.transfer.id"))
                .getString("data.reverseTransfer.transfer.reversalTransactionId");
        JsonPath all = history(bob, Map.of());
        assertEquals(List.of("REVERSAL -7", "TRANSFER 7", "EARN", "TRANSFER 5", "TRANSFER 30", "EARN"), lines(all));

        assertEquals(List.of("TRANSFER 7", "TRANSFER 5", "TRANSFER 30"), lines(history(bob, Map.of("kinds", List.of("TRANSFER")))));
        assertEquals(List.of(reversalTx), history(bob, Map.of("kinds", List.of("REVERSAL"))).getList("me.transactions.edges.node.id"));
        assertEquals(List.of("EARN", "EARN"), lines(history(bob, Map.of("kinds", List.of("EARN")))));
        assertEquals(List.of("REVERSAL -7", "TRANSFER 7", "TRANSFER 5", "TRANSFER 30"),
                lines(history(bob, Map.of("partnerId", OPERATOR_PARTNER))));
        assertEquals(List.of("EARN", "EARN"), lines(history(bob, Map.of("partnerId", "fuelco"))));
        Instant now = Instant.now();
        assertEquals(List.of(), lines(history(bob, Map.of("from", now.plus(Duration.ofHours(1)).toString()))));
        assertEquals(lines(all), lines(history(bob, Map.of("from", now.minus(Duration.ofHours(1)).toString(),
                "to", now.plus(Duration.ofHours(1)).toString()))));

        List<String> paged = new ArrayList<>();
        String after = null;
        for (int page = 0; page < 10; page++) {
            JsonPath two = history(bob, Map.of(), 2, after);
            paged.addAll(two.getList("me.transactions.edges.node.id"));
            if (!two.getBoolean("me.transactions.pageInfo.hasNextPage")) {
                break;
            }
            after = two.getString("me.transactions.pageInfo.endCursor");
        }
        assertEquals(all.getList("me.transactions.edges.node.id"), paged, "pages of two walk the same history");
        assertTrue(paged.containsAll(List.of(transferTx, secondTx)));
        List<String> transfersPaged = new ArrayList<>();
        JsonPath first = history(bob, Map.of("kinds", List.of("TRANSFER")), 2, null);
        transfersPaged.addAll(first.getList("me.transactions.edges.node.id"));
        assertTrue(first.getBoolean("me.transactions.pageInfo.hasNextPage"));
        JsonPath rest = history(bob, Map.of("kinds", List.of("TRANSFER")), 2, first.getString("me.transactions.pageInfo.endCursor"));
        transfersPaged.addAll(rest.getList("me.transactions.edges.node.id"));
        assertFalse(rest.getBoolean("me.transactions.pageInfo.hasNextPage"));
        assertEquals(history(bob, Map.of("kinds", List.of("TRANSFER"))).getList("me.transactions.edges.node.id"), transfersPaged);
    }

    @Test
    void anAcceptedOfferShowsInTheRecipientsHistoryOnceItPosts() {
        Person ann = person(FRESHMART, "100.00");
        Person dan = person(FUELCO);
        String offer = transfer(ann, dan, 40).getString("data.transferPoints.transfer.id");
        assertEquals(List.of(), lines(history(dan, Map.of())), "an open offer is no transaction yet");

        String posted = answer(ACCEPT, dan, offer).getString("data.acceptPointsTransfer.transfer.transactionId");

        JsonPath dans = history(dan, Map.of());
        assertEquals(List.of("TRANSFER 40"), lines(dans));
        assertEquals(List.of(posted), dans.getList("me.transactions.edges.node.id"));
        assertEquals(dan.member().id(), dans.getString("me.transactions.edges[0].node.member.id"));
        assertEquals(List.of("TRANSFER 40"), lines(GraphQl.call(dan.token(), """
                { transactions { edges { node { kind points } } } }"""), "data"), "the top-level transactions of a member too");
        assertEquals(List.of("TRANSFER -40", "EARN"), lines(history(ann, Map.of())));
    }

    @Test
    void rowLevelSecurityLetsAMemberReadTheEntriesOfTransfersTheyReceivedAndNoOtherOfTheSenders() {
        Person ann = person(FRESHMART, "100.00");
        Person bob = person(FUELCO, "10.00");
        Person cid = person(FRESHMART, "10.00");
        householdOf(ann, bob);
        String transferId = transfer(ann, bob, 10).getString("data.transferPoints.transfer.id");
        String reversalTx = reverse(OPERATOR, transferId).getString("data.reverseTransfer.transfer.reversalTransactionId");

        Set<String> bobReads = everyJournalEntryVisibleTo(bob);
        Set<String> cidReads = everyJournalEntryVisibleTo(cid);

        assertEquals(Set.copyOf(history(bob, Map.of()).<String>getList("me.transactions.edges.node.id")), bobReads,
                "a query without any member condition: bob's own earn, the transfer and its reversal, nothing else of ann's");
        assertTrue(bobReads.contains(reversalTx));
        assertEquals(Set.copyOf(history(cid, Map.of()).<String>getList("me.transactions.edges.node.id")), cidReads);
        assertEquals(1, cidReads.size());
    }

    private Set<String> everyJournalEntryVisibleTo(Person member) {
        Set<String> ids = new HashSet<>();
        sessions.inTransaction(Caller.of(Caller.Kind.MEMBER, member.subject()),
                        connection -> connection.query("select id from journal_entries").execute())
                .await().indefinitely()
                .forEach(row -> ids.add(row.getUUID("id").toString()));
        return ids;
    }

    private static JsonPath history(Person member, Map<String, Object> filter) {
        return history(member, filter, null, null);
    }

    /** The member's own history, at "me.transactions" of the returned data. */
    private static JsonPath history(Person member, Map<String, Object> filter, Integer first, String after) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("filter", filter);
        variables.put("first", first);
        variables.put("after", after);
        JsonPath result = GraphQl.call(member.token(), MY_HISTORY, variables);
        assertNull(result.get("errors"), () -> result.prettify());
        return result.setRootPath("data");
    }

    private static List<String> lines(JsonPath history) {
        return lines(history, "me");
    }

    /** Each transaction as "KIND points", but an earn as "EARN": its points depend on the partner's rate. */
    private static List<String> lines(JsonPath result, String owner) {
        List<Map<String, Object>> nodes = result.getList(owner + ".transactions.edges.node");
        return nodes.stream().map(node -> "EARN".equals(node.get("kind")) ? "EARN" : node.get("kind") + " " + node.get("points")).toList();
    }
}
