-- Campaign ROI keeps pace with the ledger, and its control group is bounded (README "Program analytics", campaignRoi;
-- bench/README "Program analytics"). V30/V31 kept a row per campaign and member for every shopper of the partner in a
-- campaign's windows: each earn updated one row per campaign open at its partner (50 rows an earn with 50 campaigns),
-- which was where the fold spent 80 % of its time, and a campaign's rows grew with the partner's customers.
--
-- Now a campaign keeps rows only for the members it rewarded (all of them: their spend is the figure) and for a
-- deterministic sample of its eligible members (an earn at the partner in its window or the equally long window
-- before it), from which the control group is those not rewarded:
--   x(c, m)      = h(m) xor h(c), h(id) = the first 32 bits of md5(id as text), an unsigned number
--   in sample j  = x >> (32 - j) = 0  (level j: 1 member in 2^j; level 0: all)
--   level        = the lowest j at which at most N eligible members are in the sample, N = the control group size the
--                  job was configured with when it first saw the campaign (coalition.analytics.control-group-size)
-- Eligible members only ever join a campaign, so its level only goes up: when a batch takes the sample past N, the
-- level rises to the lowest that leaves out its (N+1)-th smallest x, and the members it leaves out (not rewarded)
-- are dropped. A member outside the sample is never in it later. A member the campaign rewards outside the sample
-- gets a row then, with their earlier earns in the windows read from the ledger by member (journal_entries_by_member).
-- An earn now costs one look-up per member (were they rewarded by a campaign open here) and rows only where it is in
-- a sample; the hashing is arithmetic on the earns the batch joined to the open campaigns.
--
-- V31's rule also covers a paused campaign: purchases after it was paused (or ended; its updated_at) do not count for
-- it. Resumed, it collects again from then on; the purchases while it was paused stay out.

select set_config('app.caller_kind', 'SYSTEM', true);

alter table analytics_campaigns_folded
    add column control_group_size int not null default 1000 check (control_group_size > 0),
    add column sample_level       int not null default 0 check (sample_level between 0 and 32),
    -- eligible members in the sample, rewarded or not
    add column sampled            int not null default 0;

-- Which campaigns rewarded a member: the one look-up an earn outside every sample costs.
create index analytics_campaign_members_rewarded on analytics_campaign_members (member_id) where rewarded;
grant delete on analytics_campaign_members to ${appRole};

create function analytics_hash(_id uuid) returns bigint
    language sql immutable parallel safe as $$ select ('x' || left(md5(_id::text), 8))::bit(32)::bigint $$;

create function analytics_in_sample(_x bigint, _level int) returns boolean
    language sql immutable parallel safe as $$ select _x >> (32 - _level) = 0 $$;

-- The level of a sample whose (size + 1)-th smallest x is _first_left_out (null: it fits): the lowest that leaves it out.
create function analytics_sample_level(_level int, _first_left_out bigint) returns int
    language sql immutable parallel safe as $$
    select case when _first_left_out is null then _level
                else least(32, greatest(_level, 33 - length(ltrim(_first_left_out::bit(32)::text, '0')))) end
$$;

-- The campaigns folded before: every eligible member has a row. Keep the sample of the default size.
update analytics_campaigns_folded f
set sample_level = analytics_sample_level(0, (
    select analytics_hash(m.member_id) # analytics_hash(f.campaign_id) as x from analytics_campaign_members m
    where m.campaign_id = f.campaign_id and m.visits_before + m.visits_during > 0
    order by x offset f.control_group_size limit 1));
delete from analytics_campaign_members m using analytics_campaigns_folded f
where f.campaign_id = m.campaign_id and not m.rewarded
  and not analytics_in_sample(analytics_hash(m.member_id) # analytics_hash(m.campaign_id), f.sample_level);
update analytics_campaigns_folded f
set sampled = (select count(*) from analytics_campaign_members m
               where m.campaign_id = f.campaign_id and m.visits_before + m.visits_during > 0
                 and analytics_in_sample(analytics_hash(m.member_id) # analytics_hash(m.campaign_id), f.sample_level));
delete from analytics_campaign_groups;
insert into analytics_campaign_groups (campaign_id, rewarded, members, bonus_points, cost_amount, spend_before,
                                       visits_before, spend_during, visits_during)
select campaign_id, rewarded, count(*), sum(bonus_points), sum(cost_amount), sum(spend_before), sum(visits_before),
       sum(spend_during), sum(visits_during)
from analytics_campaign_members group by campaign_id, rewarded;

drop function analytics_fold_campaigns(timestamptz, text);

-- Campaigns: earns at the campaign's partner in its window (during) or the equally long window before it (before),
-- until it ends or is paused, of the members it rewarded and of its sample; the bonuses it granted with what they cost
-- the partner (the bonus entries' issuance fees). A campaign seen for the first time is caught up with what was folded
-- before it existed (its window before may lie in the past; an entry occurs before it is posted, give or take the
-- tills' clock skew).
create function analytics_fold_campaigns(_from timestamptz, _currency text, _control_group_size int) returns void
    language plpgsql as $$
declare
    _over record;
begin
    create temp table _campaigns_new on commit drop as
    select c.id from campaigns c where not exists (select 1 from analytics_campaigns_folded f where f.campaign_id = c.id);
    insert into analytics_campaigns_folded (campaign_id, control_group_size) select id, _control_group_size from _campaigns_new;

    create temp table _grants on commit drop as
    select g.campaign_id, g.member_id, g.points,
           coalesce((select sum(r.amount) from settlement_records r where r.entry_id = g.entry_id and r.kind = 'ISSUANCE_FEE'), 0) as cost
    from (select g.* from _entries e join bonus_grants g on g.entry_id = e.id
          where e.kind = 'BONUS' and g.campaign_id is not null
          union all
          select g.* from _campaigns_new c join bonus_grants g on g.campaign_id = c.id
          join journal_entries j on j.id = g.entry_id and j.posted_at < _from) g;

    -- what the rows this batch adds, changes and drops add to their groups, summed at the end
    create temp table _group_changes (campaign_id uuid, rewarded boolean, members int, bonus_points bigint,
        cost_amount numeric, spend_before numeric, visits_before bigint, spend_during numeric, visits_during bigint) on commit drop;

    create temp table _earns on commit drop as
    select member_id, partner_id, occurred_at, spend, analytics_hash(member_id) as hash from _entries where kind = 'EARN';

    -- the campaigns this batch may count for: new, granting in it, or with a window its earns may fall in
    create temp table _windows on commit drop as
    select c.id as campaign_id, c.partner_id, c.starts_at, c.starts_at - (c.ends_at - c.starts_at) as collects_from,
           case when c.status in ('ENDED', 'PAUSED') then least(c.ends_at, c.updated_at) else c.ends_at end as collects_until,
           analytics_hash(c.id) as hash, n.id is not null as new
    from campaigns c left join _campaigns_new n on n.id = c.id
    where n.id is not null or c.id in (select campaign_id from _grants)
       or (c.ends_at > (select min(occurred_at) from _earns)
           and c.starts_at - (c.ends_at - c.starts_at) <= (select max(occurred_at) from _earns));

    -- every earn in a campaign's windows with x, the member's place in its sample
    create temp table _pairs on commit drop as
    select w.campaign_id, e.member_id, e.occurred_at < w.starts_at as before, e.spend, e.hash # w.hash as x
    from _earns e join _windows w on w.partner_id = e.partner_id
        and e.occurred_at >= w.collects_from and e.occurred_at < w.collects_until
    union all
    select w.campaign_id, j.member_id, j.occurred_at < w.starts_at,
           case when j.currency = _currency then coalesce(j.purchase_amount, 0) else 0 end, analytics_hash(j.member_id) # w.hash
    from _windows w join journal_entries j on j.partner_id = w.partner_id and j.kind = 'EARN'
        and j.posted_at >= w.collects_from - interval '1 hour' and j.posted_at < _from
        and j.occurred_at >= w.collects_from and j.occurred_at < w.collects_until
    where w.new;
    analyze _pairs;

    -- eligible members the samples take in: in the sample at the campaign's level, not eligible for it before
    create temp table _entrants on commit drop as
    select distinct p.campaign_id, p.member_id, p.x
    from _pairs p join analytics_campaigns_folded f on f.campaign_id = p.campaign_id
    where analytics_in_sample(p.x, f.sample_level)
      and not exists (select 1 from analytics_campaign_members m where m.campaign_id = p.campaign_id
                      and m.member_id = p.member_id and m.visits_before + m.visits_during > 0);

    -- a sample grown past its size goes up to the lowest level that leaves out its (size + 1)-th smallest x; the members
    -- that leaves out stop counting (the rewarded stay)
    for _over in
        select f.campaign_id, f.sample_level, f.control_group_size
        from analytics_campaigns_folded f join (select campaign_id, count(*) as n from _entrants group by campaign_id) e
            on e.campaign_id = f.campaign_id
        where f.sampled + e.n > f.control_group_size
    loop
        perform analytics_resample(_over.campaign_id, analytics_sample_level(_over.sample_level, (
            select u.x from (select x from _entrants where campaign_id = _over.campaign_id
                             union all
                             select analytics_hash(m.member_id) # analytics_hash(m.campaign_id) from analytics_campaign_members m
                             where m.campaign_id = _over.campaign_id and m.visits_before + m.visits_during > 0) u
            where analytics_in_sample(u.x, _over.sample_level)
            order by u.x offset _over.control_group_size limit 1)));
    end loop;

    -- members outside the samples whom a campaign rewarded, before or in this batch
    create temp table _rewarded on commit drop as
    select m.campaign_id, m.member_id from analytics_campaign_members m
    where m.rewarded and m.member_id in (select member_id from _earns) and m.campaign_id in (select campaign_id from _windows)
    union
    select campaign_id, member_id from _grants;

    create temp table _touch on commit drop as
    select p.campaign_id, p.member_id, false as rewarded, 0::bigint as bonus_points, 0::numeric as cost_amount,
           case when p.before then p.spend else 0 end as spend_before, case when p.before then 1 else 0 end as visits_before,
           case when p.before then 0 else p.spend end as spend_during, case when p.before then 0 else 1 end as visits_during
    from _pairs p join analytics_campaigns_folded f on f.campaign_id = p.campaign_id
    where analytics_in_sample(p.x, f.sample_level) or (p.campaign_id, p.member_id) in (select campaign_id, member_id from _rewarded)
    union all
    select campaign_id, member_id, true, points, cost, 0, 0, 0, 0 from _grants
    union all
    -- rewarded for the first time outside the sample: their earlier earns in the windows, from the ledger
    select w.campaign_id, j.member_id, false, 0, 0,
           case when j.occurred_at < w.starts_at then s.spend else 0 end, case when j.occurred_at < w.starts_at then 1 else 0 end,
           case when j.occurred_at < w.starts_at then 0 else s.spend end, case when j.occurred_at < w.starts_at then 0 else 1 end
    from (select distinct campaign_id, member_id from _grants) g
    join _windows w on w.campaign_id = g.campaign_id and not w.new
    join journal_entries j on j.member_id = g.member_id and j.posted_at < _from
        and j.posted_at >= w.collects_from - interval '1 hour' and j.partner_id = w.partner_id and j.kind = 'EARN'
        and j.occurred_at >= w.collects_from and j.occurred_at < w.collects_until
    cross join lateral (select case when j.currency = _currency then coalesce(j.purchase_amount, 0) else 0 end as spend) s
    where not exists (select 1 from analytics_campaign_members m where m.campaign_id = g.campaign_id and m.member_id = g.member_id);

    create temp table _cold on commit drop as
    select m.* from analytics_campaign_members m
    where (m.campaign_id, m.member_id) in (select campaign_id, member_id from _touch);

    create temp table _cnew on commit drop as
    select d.campaign_id, d.member_id, coalesce(o.rewarded, false) or d.rewarded as rewarded,
           coalesce(o.bonus_points, 0) + d.bonus_points as bonus_points, coalesce(o.cost_amount, 0) + d.cost_amount as cost_amount,
           coalesce(o.spend_before, 0) + d.spend_before as spend_before, coalesce(o.visits_before, 0) + d.visits_before as visits_before,
           coalesce(o.spend_during, 0) + d.spend_during as spend_during, coalesce(o.visits_during, 0) + d.visits_during as visits_during
    from (select campaign_id, member_id, bool_or(rewarded) as rewarded, sum(bonus_points) as bonus_points,
                 sum(cost_amount) as cost_amount, sum(spend_before) as spend_before, sum(visits_before) as visits_before,
                 sum(spend_during) as spend_during, sum(visits_during) as visits_during
          from _touch group by campaign_id, member_id) d
    left join _cold o on o.campaign_id = d.campaign_id and o.member_id = d.member_id;

    insert into analytics_campaign_members as m (campaign_id, member_id, rewarded, bonus_points, cost_amount, spend_before,
                                                 visits_before, spend_during, visits_during)
    select * from _cnew
    on conflict (campaign_id, member_id) do update set rewarded = excluded.rewarded, bonus_points = excluded.bonus_points,
        cost_amount = excluded.cost_amount, spend_before = excluded.spend_before, visits_before = excluded.visits_before,
        spend_during = excluded.spend_during, visits_during = excluded.visits_during;

    insert into _group_changes
    select campaign_id, rewarded, -1, -bonus_points, -cost_amount, -spend_before, -visits_before, -spend_during, -visits_during
    from _cold
    union all
    select campaign_id, rewarded, 1, bonus_points, cost_amount, spend_before, visits_before, spend_during, visits_during
    from _cnew;
    insert into analytics_campaign_groups as g (campaign_id, rewarded, members, bonus_points, cost_amount, spend_before,
                                                visits_before, spend_during, visits_during)
    select campaign_id, rewarded, sum(members), sum(bonus_points), sum(cost_amount), sum(spend_before), sum(visits_before),
           sum(spend_during), sum(visits_during)
    from _group_changes group by campaign_id, rewarded
    on conflict (campaign_id, rewarded) do update set members = g.members + excluded.members,
        bonus_points = g.bonus_points + excluded.bonus_points, cost_amount = g.cost_amount + excluded.cost_amount,
        spend_before = g.spend_before + excluded.spend_before, visits_before = g.visits_before + excluded.visits_before,
        spend_during = g.spend_during + excluded.spend_during, visits_during = g.visits_during + excluded.visits_during;

    update analytics_campaigns_folded f set sampled = f.sampled + e.n
    from (select e.campaign_id, count(*) as n from _entrants e join analytics_campaigns_folded f on f.campaign_id = e.campaign_id
          where analytics_in_sample(e.x, f.sample_level) group by e.campaign_id) e
    where e.campaign_id = f.campaign_id;
end
$$;

-- Moves a campaign's sample up to _level: the members it leaves out who were not rewarded stop counting (their figures
-- go to the fold's _group_changes).
create function analytics_resample(_campaign uuid, _level int) returns void
    language plpgsql as $$
begin
    with gone as (
        delete from analytics_campaign_members m
        where m.campaign_id = _campaign and not m.rewarded
          and not analytics_in_sample(analytics_hash(m.member_id) # analytics_hash(m.campaign_id), _level)
        returning m.*)
    insert into _group_changes
    select campaign_id, rewarded, -1, -bonus_points, -cost_amount, -spend_before, -visits_before, -spend_during, -visits_during
    from gone;
    update analytics_campaigns_folded f
    set sample_level = _level,
        sampled = (select count(*) from analytics_campaign_members m
                   where m.campaign_id = _campaign and m.visits_before + m.visits_during > 0
                     and analytics_in_sample(analytics_hash(m.member_id) # analytics_hash(m.campaign_id), _level))
    where f.campaign_id = _campaign;
end
$$;

-- V30's points, with the issuers' postings read per entry.
create or replace function analytics_fold_points() returns void
    language plpgsql as $$
begin
    create temp table _flows on commit drop as
    select analytics_month(e.occurred_at) as month, p.partner_id as issuer_id,
           case when e.kind = 'EARN' then p.partner_id else e.partner_id end as counterparty_id,
           case when e.kind = 'EARN' then 'ISSUED' else 'BONUS' end as kind,
           -p.amount as points, 0::numeric as point_seconds, null::uuid as member_id
    from _entries e
    -- each entry's postings by its key (offset 0 keeps the look-up per entry: joined, the planner scans all postings
    -- whenever it takes the partners' accounts for a few rows, which they are not)
    cross join lateral (select a.partner_id, p.amount from postings p join accounts a on a.id = p.account_id
                        where p.entry_id = e.id and a.kind = 'PARTNER_ISSUED' offset 0) p
    where e.kind in ('EARN', 'BONUS')
    union all
    select analytics_month(e.occurred_at), c.issuer_id,
           case when e.kind = 'EXPIRY' or e.reverses_kind in ('EARN', 'BONUS') then '' else c.partner_id end,
           case when e.kind = 'EXPIRY' then 'EXPIRED'
                when e.reverses_kind in ('EARN', 'BONUS') then 'REVERSED'
                else 'REDEEMED' end,
           c.points,
           case when e.kind = 'EXPIRY' or e.reverses_kind in ('EARN', 'BONUS') then 0
                else c.points * extract(epoch from e.occurred_at - l.earned_at) end,
           case when e.kind in ('REDEMPTION', 'DONATION') then c.member_id end
    from _entries e join lot_consumptions c on c.entry_id = e.id join lots l on l.id = c.lot_id
    where e.kind in ('REDEMPTION', 'DONATION', 'EXPIRY')
       or (e.kind = 'REVERSAL' and e.reverses_kind in ('EARN', 'BONUS', 'REDEMPTION', 'DONATION'));

    with marked as (
        insert into analytics_flow_members (month, issuer_id, redeemer_id, member_id)
        select distinct month, issuer_id, counterparty_id, member_id from _flows where member_id is not null
        on conflict do nothing
        returning month, issuer_id, redeemer_id
    ), figures as (
        select month, issuer_id, counterparty_id, kind, sum(points) as points, sum(point_seconds) as point_seconds, 0 as members
        from _flows group by month, issuer_id, counterparty_id, kind
        union all
        select month, issuer_id, redeemer_id, 'REDEEMED', 0, 0, count(*) from marked group by month, issuer_id, redeemer_id
    )
    insert into analytics_points as f (month, issuer_id, counterparty_id, kind, points, point_seconds, members)
    select month, issuer_id, counterparty_id, kind, sum(points), sum(point_seconds), sum(members)
    from figures group by month, issuer_id, counterparty_id, kind
    on conflict (month, issuer_id, counterparty_id, kind) do update set points = f.points + excluded.points,
        point_seconds = f.point_seconds + excluded.point_seconds, members = f.members + excluded.members;
end
$$;

drop function analytics_refresh(text, numeric[], int, interval, interval);

-- V30's batch, with the control group size for the campaigns it sees for the first time, and a cut that never makes an
-- empty batch: V30 cut at the posted_at a batch's length on, which left the batch empty when more than a batch shared
-- the first posted_at (a bulk load, or the bench's seed), and a job that stops at a batch folding nothing stopped there
-- with the whole backlog before it.
create function analytics_refresh(_currency text, _thresholds numeric[], _batch int, _lag interval, _horizon interval,
                                  _control_group_size int default 1000, out folded int, out watermark timestamptz)
    -- a batch sorts and hashes a few hundred thousand rows: in memory, not in temporary files
    language plpgsql set work_mem = '64MB' as $$
declare
    _from  timestamptz;
    _safe  timestamptz;
    _to    timestamptz;
    _cut   timestamptz;
    _first timestamptz;
    _state analytics_state;
begin
    select * into _state from analytics_state where id = 1 for update;
    if _state.segment_thresholds is distinct from _thresholds then
        perform analytics_resegment(_thresholds);
    end if;
    _from := _state.watermark;
    select least(now() - _lag, coalesce(min(a.xact_start), 'infinity')) into _safe
    from pg_stat_activity a
    where a.pid <> pg_backend_pid() and a.datid = (select oid from pg_database where datname = current_database())
      and a.backend_type = 'client backend' and a.xact_start > now() - _horizon;
    if _safe <= _from then
        folded := 0;
        watermark := _from;
        return;
    end if;
    select j.posted_at into _cut from journal_entries j
    where j.posted_at >= _from and j.posted_at < _safe order by j.posted_at offset _batch limit 1;
    select min(j.posted_at) into _first from journal_entries j where j.posted_at >= _from and j.posted_at < _safe;
    if _cut is null then
        _to := _safe;
    elsif _cut > _first then
        _to := _cut;
    else
        -- more than a batch posted at the first posted_at (one transaction): all of them, alone
        select coalesce(min(j.posted_at), _safe) into _to from journal_entries j where j.posted_at > _first and j.posted_at < _safe;
    end if;

    create temp table _entries on commit drop as
    select j.id, j.kind, j.member_id, j.partner_id, j.points, j.occurred_at, j.posted_at,
           case when j.currency = _currency then coalesce(j.purchase_amount, 0) else 0 end as spend,
           r.kind as reverses_kind
    from journal_entries j left join journal_entries r on r.id = j.reverses_id
    where j.posted_at >= _from and j.posted_at < _to;
    get diagnostics folded = row_count;
    analyze _entries;

    perform analytics_fold_enrolments(_from, _to, _thresholds);
    perform analytics_fold_activity(_thresholds);
    perform analytics_fold_points();
    perform analytics_fold_campaigns(_from, _currency, _control_group_size);

    update analytics_state set watermark = _to, refreshed_at = now(), entries_folded = entries_folded + folded,
                               currency = _currency
    where id = 1;
    watermark := _to;
end
$$;
