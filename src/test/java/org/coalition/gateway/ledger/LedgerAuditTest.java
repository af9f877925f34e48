package org.coalition.gateway.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import org.coalition.gateway.support.EmbeddedPostgresResource;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.GatewayTest;

/** The audit that every other test trusts must itself catch a broken ledger. */
@GatewayTest
class LedgerAuditTest {

    @Inject
    LedgerAudit audit;

    @Test
    void anUnbalancedEntryNamingAnUnknownPartnerAndAccountIsReported() throws SQLException {
        Fixtures.EnrolledMember member = Fixtures.enroll(Fixtures.FRESHMART);
        UUID entry = UUID.randomUUID();

        List<String> violations = violationsWhileWritten(List.of(
                "insert into journal_entries (id, kind, member_id, partner_id, points, occurred_at) values ('"
                        + entry + "', 'ADJUSTMENT', '" + member.id() + "', 'no-such-partner', 0, now())",
                "insert into postings (entry_id, account_id, member_id, partner_id, amount) values ('"
                        + entry + "', 987654321, '" + member.id() + "', 'no-such-partner', 5)"),
                List.of("delete from postings where entry_id = '" + entry + "'",
                        "delete from journal_entries where id = '" + entry + "'"));

        assertTrue(violations.contains("journal entry does not balance to zero: " + entry), violations::toString);
        assertTrue(violations.contains("ledger names a partner that does not exist: no-such-partner"), violations::toString);
        assertTrue(violations.contains("posting to an account that does not exist: 987654321"), violations::toString);
    }

    @Test
    void rowsWithoutTheirEntryLotOrMemberAreReported() throws SQLException {
        Fixtures.EnrolledMember member = Fixtures.enroll(Fixtures.FRESHMART);
        UUID missingEntry = UUID.randomUUID();
        UUID missingMember = UUID.randomUUID();
        UUID entryOfMissingMember = UUID.randomUUID();

        // No foreign key stops these any more (V62): the audit is what must notice them.
        List<String> violations = violationsWhileWritten(List.of(
                "insert into postings (entry_id, account_id, member_id, partner_id, amount) select '"
                        + missingEntry + "', account_id, id, 'freshmart', 5 from members where id = '" + member.id() + "'",
                "insert into lot_consumptions (entry_id, lot_id, member_id, issuer_id, points, partner_id) values ('"
                        + missingEntry + "', 987654321, '" + member.id() + "', 'freshmart', 1, 'freshmart')",
                "insert into journal_entries (id, kind, member_id, partner_id, points, occurred_at) values ('"
                        + entryOfMissingMember + "', 'ADJUSTMENT', '" + missingMember + "', 'freshmart', 0, now())"),
                List.of("delete from lot_consumptions where entry_id = '" + missingEntry + "'",
                        "delete from postings where entry_id = '" + missingEntry + "'",
                        "delete from journal_entries where id = '" + entryOfMissingMember + "'"));

        assertTrue(violations.contains("ledger row without its journal entry: " + missingEntry), violations::toString);
        assertTrue(violations.contains("lot draw from a lot that does not exist: 987654321"), violations::toString);
        assertTrue(violations.contains("ledger names a member that does not exist: " + missingMember), violations::toString);
    }

    /**
     * The audit's violations while {@code writes} stand, written behind the gateway's back as only a bug or a
     * hand-edited database could; {@code undo} then removes them, and the audit must find the ledger sound again.
     */
    private List<String> violationsWhileWritten(List<String> writes, List<String> undo) throws SQLException {
        List<String> violations;
        try (Connection superuser = DriverManager.getConnection(EmbeddedPostgresResource.jdbcUrl());
                Statement sql = superuser.createStatement()) {
            try {
                for (String write : writes) {
                    sql.execute(write);
                }
                violations = audit.violations().await().indefinitely();
            } finally {
                for (String statement : undo) {
                    sql.execute(statement);
                }
            }
        }
        assertEquals(List.of(), audit.violations().await().indefinitely());
        return violations;
    }
}
