-- The ledger's invariants after a benchmark workload, one count per line (each must be 0), then the
-- number of entries per kind (the runner compares them with what clients were told succeeded).
select 'unbalanced entries', count(*) from (select entry_id from postings group by entry_id having sum(amount) <> 0) unbalanced
union all
select 'balances differing from their postings', count(*) from members m
  where m.balance <> coalesce((select sum(p.amount) from postings p where p.account_id = m.account_id), 0)
union all
select 'balances differing from their lots', count(*) from members m
  where m.balance <> coalesce((select sum(l.remaining) from lots l where l.member_id = m.id), 0)
union all
select 'negative balances or holds', count(*) from members where balance < 0 or held < 0 or held > balance
union all
select 'entries without their settlement records', count(*) from journal_entries e
  where e.kind in ('EARN', 'REDEMPTION')
    and abs(e.points) <> coalesce((select sum(r.points) from settlement_records r where r.entry_id = e.id), 0);
