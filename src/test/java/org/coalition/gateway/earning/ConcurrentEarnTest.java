package org.coalition.gateway.earning;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.ledger.LedgerAudit;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Metrics;
import org.coalition.gateway.support.Tokens;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * Earns that arrive together share statements and commits (shared.GroupCommit). Whatever batch carries it, each earn
 * must get its own answer, under its own partner, and a failing earn must not take its neighbours down with it.
 */
@GatewayTest
class ConcurrentEarnTest {

    private static final int MEMBERS = 20;
    private static final int EARNS_PER_MEMBER = 4;

    @Inject
    LedgerAudit audit;
    @Inject
    TenantSessions sessions;

    @Test
    void earnsThatShareACommitEachGetTheirOwnAnswer() {
        List<EnrolledMember> members = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            members.add(Fixtures.enroll(FRESHMART));
        }
        double sharedBefore = Metrics.earnsThatSharedAStatement();

        List<Sent> sent = new ArrayList<>();
        for (int round = 0; round < EARNS_PER_MEMBER; round++) {
            for (EnrolledMember member : members) {
                // FreshMart pays 1.5 points a euro, FuelCo 2: every earn's points say which rate it was booked at
                String partner = round % 2 == 0 ? FRESHMART : FUELCO;
                String amount = (10 + round) + ".00";
                sent.add(new Sent(member, partner, amount, send(partner, Fixtures.earnInput(member, amount))));
            }
        }
        Map<String, Object> duplicate = Fixtures.earnInput(members.get(0), "5.00");
        CompletableFuture<JsonObject> first = send(FRESHMART, duplicate);
        CompletableFuture<JsonObject> second = send(FRESHMART, duplicate);
        EnrolledMember stranger = new EnrolledMember(null, Fixtures.newCardNumber());
        CompletableFuture<JsonObject> unknown = send(FRESHMART, Fixtures.earnInput(stranger, "10.00"));

        Map<String, Integer> expectedBalances = new HashMap<>();
        for (Sent earn : sent) {
            JsonObject payload = earnPayload(earn.response().join());
            int points = expectedPoints(earn.partner(), earn.amount());
            assertEquals(List.of(), payload.getJsonArray("userErrors").getList(), payload::encodePrettily);
            assertEquals(points, payload.getJsonObject("transaction").getInteger("points"));
            assertEquals(earn.member().id(), payload.getJsonObject("transaction").getJsonObject("member").getString("id"));
            assertEquals(earn.partner().replace("-pos", ""), payload.getJsonObject("transaction").getJsonObject("partner").getString("id"));
            expectedBalances.merge(earn.member().id(), points, Integer::sum);
        }
        JsonObject once = earnPayload(first.join());
        JsonObject again = earnPayload(second.join());
        assertEquals(once.getJsonObject("transaction").getString("id"), again.getJsonObject("transaction").getString("id"),
                "the same key and payload is one earn, whichever of the two claimed it");
        expectedBalances.merge(members.get(0).id(), once.getJsonObject("transaction").getInteger("points"), Integer::sum);
        JsonObject refused = earnPayload(unknown.join());
        assertEquals("MEMBER_NOT_FOUND", refused.getJsonArray("userErrors").getJsonObject(0).getString("code"), refused::encodePrettily);

        for (EnrolledMember member : members) {
            assertEquals(expectedBalances.get(member.id()), balanceOf(member), member.id());
        }
        assertEquals(List.of(), audit.violations().await().indefinitely());
        assertTrue(Metrics.earnsThatSharedAStatement() > sharedBefore, "some earns shared a statement");
    }

    /**
     * A batch takes one earn per member (the set-based function writes one row per member and table), but a member
     * named by id in one earn and by card in another looks like two members until the database resolves them: such a
     * batch fails (V57 refuses it) and goes again in halves. Every earn must still post, once.
     */
    @Test
    void earnsForOneMemberByIdAndByCardAllPost() {
        // few members, many earns each: any batch of three or more holds one of them twice
        List<EnrolledMember> members = List.of(Fixtures.enroll(FRESHMART), Fixtures.enroll(FRESHMART));
        int earnsPerMember = 20;
        double sharedBefore = Metrics.earnsThatSharedAStatement();
        List<CompletableFuture<JsonObject>> responses = new ArrayList<>();
        for (int round = 0; round < earnsPerMember; round++) {
            for (EnrolledMember member : members) {
                Map<String, Object> input = Fixtures.earnInput(member, "10.00");
                if (round % 2 == 0) {
                    input.put("member", Map.of("memberId", member.id()));
                }
                responses.add(send(FRESHMART, input));
            }
        }
        for (CompletableFuture<JsonObject> response : responses) {
            JsonObject payload = earnPayload(response.join());
            assertEquals(List.of(), payload.getJsonArray("userErrors").getList(), payload::encodePrettily);
        }
        for (EnrolledMember member : members) {
            assertEquals(earnsPerMember * 15, balanceOf(member), member.id());
        }
        assertEquals(List.of(), audit.violations().await().indefinitely());
        assertTrue(Metrics.earnsThatSharedAStatement() > sharedBefore, "some earns shared a statement");
    }

    /**
     * What the earns of a batch share (the partner's contract version among it) goes to the database once per batch
     * (V63): earns under two versions of one contract, sent together, must not share it, and each must be booked
     * under its own version.
     */
    @Test
    void earnsUnderTwoContractVersionsSentTogetherKeepTheirOwnVersion() {
        List<EnrolledMember> members = new ArrayList<>();
        for (int i = 0; i < 2 * MEMBERS; i++) {
            members.add(Fixtures.enroll(FRESHMART));
        }
        double sharedBefore = Metrics.earnsThatSharedAStatement();
        Map<String, Integer> expectedVersions = new HashMap<>();
        List<CompletableFuture<JsonObject>> responses = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            Map<String, Object> input = Fixtures.earnInput(members.get(i), "10.99");
            if (i % 2 == 0) {
                input.put("occurredAt", "2026-03-14T10:15:30Z");  // version 1: 1 point a euro, rounded down
            }
            responses.add(send(FRESHMART, input));
        }
        for (int i = 0; i < responses.size(); i++) {
            JsonObject transaction = earnPayload(responses.get(i).join()).getJsonObject("transaction");
            int version = i % 2 == 0 ? 1 : 2;
            assertEquals(version == 1 ? 10 : 16, transaction.getInteger("points"), transaction::encodePrettily);
            expectedVersions.put(transaction.getString("id"), version);
        }
        Map<String, Integer> bookedVersions = new HashMap<>();
        sessions.asSystem(connection -> connection.preparedQuery(
                        "select id::text, contract_version from journal_entries where id = any($1::text[]::uuid[])")
                .execute(Tuple.of(expectedVersions.keySet().toArray(String[]::new)))).await().indefinitely()
                .forEach(row -> bookedVersions.put(row.getString("id"), row.getInteger("contract_version")));
        assertEquals(expectedVersions, bookedVersions);
        assertEquals(List.of(), audit.violations().await().indefinitely());
        assertTrue(Metrics.earnsThatSharedAStatement() > sharedBefore, "some earns shared a statement");
    }

    private record Sent(EnrolledMember member, String partner, String amount, CompletableFuture<JsonObject> response) {
    }

    private static CompletableFuture<JsonObject> send(String partner, Map<String, Object> input) {
        return GraphQl.send(Tokens.partner(partner), Fixtures.EARN, Map.of("input", input));
    }

    private static JsonObject earnPayload(JsonObject response) {
        return response.getJsonObject("data").getJsonObject("earnPoints");
    }

    private static int expectedPoints(String partner, String amount) {
        double euros = Double.parseDouble(amount);
        return (int) Math.floor(FRESHMART.equals(partner) ? euros * 1.5 : euros * 2);
    }

    private static int balanceOf(EnrolledMember member) {
        return GraphQl.call(Tokens.partner(FRESHMART), "query($ref: MemberRefInput!) { member(ref: $ref) { balance } }",
                Map.of("ref", member.ref())).getInt("data.member.balance");
    }
}
