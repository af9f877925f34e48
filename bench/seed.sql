-- Seeds :members members for the benchmark, each with :points points earned at FreshMart, booked exactly as
-- the gateway books an earn (entry, balanced postings, lot, settlement record), so that the ledger check
-- after every workload holds from the start. Run as the schema owner after the gateway has started
-- (it registers the partners and opens their accounts). Member n has card "9" || lpad(n, 14) || Luhn digit
-- and OIDC subject "bench-member-n". The card is stored as the gateway stores it (member.CardTokens, V26): last four
-- digits and the HMAC-SHA256 under the gateway's card key, passed as :card_key (pgcrypto, created by V26). Its sealed
-- copy (V27), which only the gateway can make, comes from bench/tools/SealCards.java on psql's standard input.
create or replace function pg_temp.luhn(payload text) returns text language sql immutable as $$
  select payload || ((10 - sum(case when (length(payload) - i) % 2 = 0
                                    then (d * 2) - case when d * 2 > 9 then 9 else 0 end else d end)::int % 10) % 10)::text
  from (select i, substr(payload, i, 1)::int as d from generate_series(1, length(payload)) i) digits
$$;

create temp table seeded as
select n, gen_random_uuid() as member_id, gen_random_uuid() as entry_id
from generate_series(1, :members) n;

create temp table sealed_cards (n int primary key, card_sealed text not null);
\copy sealed_cards from pstdin with (format csv)

with opened as (
  insert into accounts (kind, member_id) select 'MEMBER', member_id from seeded returning id, member_id
)
insert into members (id, card_number, card_sealed, subject, account_id, enrolled_by, balance)
select s.member_id, right(c.card, 4) || ':' || encode(hmac(c.card, :'card_key', 'sha256'), 'hex'), sc.card_sealed,
       'bench-member-' || s.n, o.id, 'freshmart', :points
from seeded s join opened o using (member_id) join sealed_cards sc using (n)
cross join lateral (select pg_temp.luhn('9' || lpad(s.n::text, 14, '0')) as card) c;

insert into journal_entries (id, kind, member_id, partner_id, points, purchase_amount, currency, channel, occurred_at, contract_version)
select entry_id, 'EARN', member_id, 'freshmart', :points, :points, 'EUR', 'STORE', now(), 1 from seeded;

insert into postings (entry_id, account_id, member_id, partner_id, amount)
select s.entry_id, m.account_id, s.member_id, 'freshmart', :points from seeded s join members m on m.id = s.member_id
union all
select s.entry_id, a.id, s.member_id, 'freshmart', -:points from seeded s
  join accounts a on a.kind = 'PARTNER_ISSUED' and a.partner_id = 'freshmart';

insert into lots (member_id, issuer_id, entry_id, points, remaining, earned_at, expires_at)
select member_id, 'freshmart', entry_id, :points, :points, now(), now() + interval '24 months' from seeded;

insert into settlement_records (id, kind, entry_id, member_id, debtor_id, creditor_id, points, amount, currency)
select gen_random_uuid(), 'ISSUANCE_FEE', entry_id, member_id, 'freshmart', 'coalition-operator', :points, :points * 0.01, 'EUR'
from seeded;

analyze;
