package org.coalition.gateway.member;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonObject;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Metrics;
import org.coalition.gateway.support.Tokens;

/**
 * Members' own reads that arrive together share statements (shared.BatchedLookups). Whatever statement carries it,
 * each member must see their own card and balance, never a neighbour's, and a login that has claimed no card none.
 */
@GatewayTest
class ConcurrentMeReadTest {

    private static final String ME = "{ me { id cardNumber balance } }";
    private static final int MEMBERS = 12;
    private static final int READS_PER_MEMBER = 10;

    private record SignedIn(EnrolledMember member, String token, int balance) {
    }

    @Test
    void readsThatShareAStatementEachGetTheirOwnMember() {
        List<SignedIn> signedIn = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            EnrolledMember member = Fixtures.enroll(FRESHMART);
            // a different balance for each member: 1.5 points a euro at FreshMart
            int balance = Fixtures.earnOk(FRESHMART, member, (10 + 2 * i) + ".00");
            signedIn.add(new SignedIn(member, Fixtures.claim(member), balance));
        }
        String nobody = Tokens.member("member-" + Fixtures.key());
        double sharedBefore = Metrics.lookupsThatSharedAStatement("member_by_subject");

        List<CompletableFuture<JsonObject>> reads = new ArrayList<>();
        List<CompletableFuture<JsonObject>> nobodysReads = new ArrayList<>();
        for (int round = 0; round < READS_PER_MEMBER; round++) {
            for (SignedIn member : signedIn) {
                reads.add(GraphQl.send(member.token(), ME, Map.of()));
            }
            nobodysReads.add(GraphQl.send(nobody, ME, Map.of()));
        }

        for (int i = 0; i < reads.size(); i++) {
            SignedIn expected = signedIn.get(i % MEMBERS);
            JsonObject me = reads.get(i).join().getJsonObject("data").getJsonObject("me");
            assertEquals(expected.member().id(), me.getString("id"));
            assertEquals(expected.member().cardNumber(), me.getString("cardNumber"), "the whole card, opened from its sealed copy");
            assertEquals(expected.balance(), me.getInteger("balance"));
        }
        for (CompletableFuture<JsonObject> read : nobodysReads) {
            JsonObject response = read.join();
            assertTrue(response.getJsonObject("data").containsKey("me") && response.getJsonObject("data").getValue("me") == null,
                    response::encodePrettily);
        }
        assertTrue(Metrics.lookupsThatSharedAStatement("member_by_subject") > sharedBefore, "some reads shared a statement");
    }

    @Test
    void aReadAfterAnEarnSeesTheEarn() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String token = Fixtures.claim(member);
        int balance = 0;
        for (int i = 0; i < 5; i++) {
            balance += Fixtures.earnOk(FRESHMART, member, "10.00");
            assertEquals(balance, GraphQl.call(token, ME, Map.of()).getInt("data.me.balance"));
        }
    }
}
