package org.coalition.gateway.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.tenancy.TenantSessions;

/**
 * Checks the whole ledger against its invariants and names every violation. Scans every table: for
 * tests, the benchmark harness and operators, never for the request path.
 */
@ApplicationScoped
public class LedgerAudit {

    /** Invariant name to a query returning one row (column {@code subject}) per violation. */
    private static final Map<String, String> CHECKS = Map.ofEntries(
            Map.entry("journal entry does not balance to zero", """
                    select entry_id::text as subject from postings group by entry_id having sum(amount) <> 0
                    """),
            Map.entry("member balance differs from the sum of its postings", """
                    select m.id::text as subject from members m left join postings p on p.account_id = m.account_id
                    group by m.id, m.balance having m.balance <> coalesce(sum(p.amount), 0)
                    """),
            Map.entry("member balance differs from the points left in its lots", """
                    select m.id::text as subject from members m left join lots l on l.member_id = m.id
                    group by m.id, m.balance having m.balance <> coalesce(sum(l.remaining), 0)
                    """),
            Map.entry("member balance or held points out of range", """
                    select id::text as subject from members where balance < 0 or held < 0 or held > balance
                    """),
            Map.entry("transaction points differ from its member posting", """
                    select e.id::text as subject from journal_entries e
                    join members m on m.id = e.member_id
                    left join postings p on p.entry_id = e.id and p.account_id = m.account_id
                    where coalesce(p.amount, 0) <> e.points
                    """),
            Map.entry("spend consumed other than its points from lots", """
                    select e.id::text as subject from journal_entries e
                    join lot_consumptions c on c.entry_id = e.id
                    group by e.id, e.points having sum(c.points) <> -e.points
                    """),
            // every point has its records, but points the operator issued (an operator-funded tier bonus) and their
            // expiry or reversal: no money moves when the operator issues points, nor when they expire or go back
            // with a reversed earn; and transfers between
            // members and their reversals: the points keep their issuer's lots, so nobody owes anybody anything
            Map.entry("transaction without settlement records for all its points", """
                    select e.id::text as subject from journal_entries e
                    where e.kind <> 'TRANSFER'
                      and not (e.kind = 'REVERSAL' and exists (select from journal_entries t
                                                               where t.id = e.reverses_id and t.kind = 'TRANSFER'))
                      and abs(e.points) - case
                            when e.kind = 'BONUS' then (select coalesce(sum(l.points), 0) from lots l
                                                        join partners p on p.id = l.issuer_id and p.kind = 'OPERATOR'
                                                        where l.entry_id = e.id)
                            when e.kind = 'EXPIRY' or (e.kind = 'REVERSAL' and exists (
                                    select from journal_entries b where b.id = e.reverses_id and b.kind = 'BONUS'))
                                 then (select coalesce(sum(c.points), 0) from lot_consumptions c
                                                         join partners p on p.id = c.issuer_id and p.kind = 'OPERATOR'
                                                         where c.entry_id = e.id)
                            else 0 end
                          <> coalesce((select sum(r.points) from settlement_records r where r.entry_id = e.id), 0)
                    """),
            // a membership fee is money, not points: it has a paid membership instead of a transaction
            Map.entry("settlement record without its transaction or membership", """
                    select r.id::text as subject from settlement_records r left join journal_entries e on e.id = r.entry_id
                    where (r.kind not in ('ADJUSTMENT', 'MEMBERSHIP_FEE') and e.id is null)
                       or (r.kind = 'MEMBERSHIP_FEE'
                           and not exists (select from paid_memberships m where m.id = r.membership_id))
                    """),
            // Checked here rather than by foreign keys, which would make every partner a hot row (V10).
            Map.entry("ledger names a partner that does not exist", namedButMissing("partners",
                    "select partner_id from journal_entries", "select partner_id from postings", "select issuer_id from lots",
                    "select issuer_id from lot_consumptions", "select partner_id from lot_consumptions",
                    "select debtor_id from settlement_records", "select creditor_id from settlement_records")),
            Map.entry("posting to an account that does not exist", namedButMissing("accounts", "select account_id from postings")),
            // Checked here rather than by foreign keys, which cost every earn and redemption a check per row (V62).
            Map.entry("ledger row without its journal entry", namedButMissing("journal_entries",
                    "select entry_id from postings", "select entry_id from lots", "select entry_id from lot_consumptions")),
            Map.entry("lot draw from a lot that does not exist", namedButMissing("lots", "select lot_id from lot_consumptions")),
            Map.entry("ledger names a member that does not exist", namedButMissing("members",
                    "select member_id from journal_entries", "select member_id from lots",
                    "select member_id from settlement_records where member_id is not null")));

    /** Each id the {@code namings} (queries of one column) name that no row of {@code table} has. */
    private static String namedButMissing(String table, String... namings) {
        return "select distinct named.id::text as subject from (" + String.join(" union all ", namings) + ") named (id)"
                + " where not exists (select from " + table + " t where t.id = named.id)";
    }

    private final TenantSessions sessions;

    public LedgerAudit(TenantSessions sessions) {
        this.sessions = sessions;
    }

    /** Every violation as "invariant: subject"; empty when the ledger is sound. */
    public Uni<List<String>> violations() {
        return sessions.asSystem(connection -> Multi.createFrom().iterable(CHECKS.entrySet())
                .onItem().transformToUniAndConcatenate(check -> connection.query(check.getValue()).execute()
                        .map(rows -> {
                            List<String> found = new ArrayList<>();
                            rows.forEach(row -> found.add(check.getKey() + ": " + row.getString("subject")));
                            return found;
                        }))
                .collect().in(ArrayList::new, List::addAll));
    }
}
