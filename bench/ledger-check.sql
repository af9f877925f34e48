-- The ledger's invariants after a benchmark workload, one count per line (each must be 0). Aggregates
-- with joins rather than per-row subqueries, so that it takes seconds on millions of rows.
select 'unbalanced entries', count(*) from (select entry_id from postings group by entry_id having sum(amount) <> 0) unbalanced
union all
select 'balances differing from their postings', count(*)
from members m left join (select account_id, sum(amount) as total from postings group by account_id) p using (account_id)
where m.balance <> coalesce(p.total, 0)
union all
select 'balances differing from their lots', count(*)
from members m left join (select member_id, sum(remaining) as total from lots group by member_id) l on l.member_id = m.id
where m.balance <> coalesce(l.total, 0)
union all
select 'negative balances or holds', count(*) from members where balance < 0 or held < 0 or held > balance
union all
select 'entries without their settlement records', count(*)
from journal_entries e
left join (select entry_id, sum(points) as total from settlement_records group by entry_id) r on r.entry_id = e.id
-- bonus points the operator issued (a tier's multiplier it funds) cost nobody anything: no record
left join (select l.entry_id, sum(l.points) as total from lots l join partners p on p.id = l.issuer_id and p.kind = 'OPERATOR'
           group by l.entry_id) o on o.entry_id = e.id
where e.kind in ('EARN', 'REDEMPTION', 'BONUS')
  and abs(e.points) - case when e.kind = 'BONUS' then coalesce(o.total, 0) else 0 end <> coalesce(r.total, 0)
union all
-- no foreign key ties these rows to their entry or member (V62): this does
select 'ledger rows without their entry', count(*)
from (select entry_id from postings union all select entry_id from lots union all select entry_id from lot_consumptions
      union all select entry_id from settlement_records where entry_id is not null) r
left join journal_entries e on e.id = r.entry_id
where e.id is null
union all
select 'ledger rows of no member', count(*)
from (select member_id from journal_entries union all select member_id from lots
      union all select member_id from settlement_records where member_id is not null) r
left join members m on m.id = r.member_id
where m.id is null;
