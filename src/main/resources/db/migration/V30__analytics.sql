-- Program analytics (README "Program analytics"): retention, customer value, campaign ROI and reward performance,
-- read from aggregates that a job keeps up to date from the ledger, never by scanning the ledger per request.
--
-- The job (analytics.AnalyticsAggregator, one replica at a time under an advisory lock) calls analytics_refresh,
-- which folds every journal entry and every enrolment posted before a safe watermark into the tables below and
-- moves the watermark. Entries can commit out of order: an entry's posted_at is its transaction's start (now()),
-- so an entry not yet committed belongs to a transaction still running that started at that time. The watermark
-- therefore never passes the start of the oldest transaction still running (pg_stat_activity), nor now() minus a
-- small lag (a transaction that has just begun may not show there yet). Transactions older than a horizon (10 minutes;
-- the gateway's own are cut off after seconds by its statement and idle-in-transaction timeouts, V3) are not waited
-- for: a forgotten psql session must not stop the analytics. Everything before the watermark is final:
-- it is folded in exactly once, by batches cut at posted_at boundaries (an earn and its bonuses share one).
--
-- Scopes: '*' is the coalition, a partner id that partner's own customers (members with an earn or a burn there).
-- Member-level rows (analytics_member_state, analytics_flow_members, analytics_campaign_members) exist only to keep the
-- distinct counts right; only the job (SYSTEM) may read them, so no member identifier ever leaves the database.
-- Every figure a caller reads is an aggregate.

-- Enrolments past the watermark are folded in too (the coalition's cohorts are enrolment months).
create index members_by_enrolment on members (enrolled_at);

create table analytics_state (
    id                 int primary key check (id = 1),
    -- every entry and enrolment posted before it is in the aggregates, none after it
    watermark          timestamptz not null,
    refreshed_at       timestamptz,
    entries_folded     bigint      not null default 0,
    -- the value segments' lower bounds of lifetime spend (TOP, HIGH, MEDIUM; LOW below, NO_SPEND at zero)
    segment_thresholds numeric[]   not null default '{}',
    currency           char(3)
);
insert into analytics_state (id, watermark) values (1, '-infinity');

-- One row per member and scope: what the segments, the churn histogram and the cohorts are kept from.
create table analytics_member_state (
    scope           text           not null,
    member_id       uuid           not null,
    cohort_month    date           not null,
    last_active_on  date,
    spend           numeric(19, 4) not null default 0,
    visits          int            not null default 0,
    points_earned   bigint         not null default 0,
    points_redeemed bigint         not null default 0,
    segment         text           not null,
    -- the months the member was active in (an earn or a burn in scope): a cohort's active members are counted once
    -- per month (an array in the member's row, not a row per month: a row and an index entry per member and month
    -- was what the fold spent most of its time writing)
    active_months   date[]         not null default '{}',
    primary key (scope, member_id)
);

create table analytics_cohort_sizes (
    scope        text not null,
    cohort_month date not null,
    members      int  not null,
    primary key (scope, cohort_month)
);

-- A cohort's activity in each month: members active (an earn or a burn), their spend, visits and points.
create table analytics_cohort_months (
    scope           text           not null,
    cohort_month    date           not null,
    month           date           not null,
    active_members  int            not null default 0,
    spend           numeric(19, 4) not null default 0,
    visits          int            not null default 0,
    points_earned   bigint         not null default 0,
    points_redeemed bigint         not null default 0,
    primary key (scope, cohort_month, month)
);

-- How many members were last active on each day: active and churned members for any number of days.
create table analytics_last_active (
    scope   text not null,
    day     date not null,
    members int  not null,
    primary key (scope, day)
);

-- The customer pyramid: members by lifetime spend, and what they spent, visited and earned.
create table analytics_segments (
    scope           text           not null,
    segment         text           not null,
    members         int            not null default 0,
    spend           numeric(19, 4) not null default 0,
    visits          bigint         not null default 0,
    points_earned   bigint         not null default 0,
    points_redeemed bigint         not null default 0,
    primary key (scope, segment)
);

-- Points by month, issuer, counterparty and kind:
--   ISSUED    earned at the issuer (counterparty = the issuer)
--   BONUS     bonus points the issuer funded (counterparty = the partner where the earn happened)
--   REDEEMED  the issuer's points redeemed or donated at the counterparty, less reversed redemptions;
--             point_seconds = points x seconds from the lot's earn to the burn; members = distinct members
--   EXPIRED   the issuer's points expired to breakage (counterparty '')
--   REVERSED  the issuer's points taken back by reversed earns (counterparty '')
-- Transfers between members move lots without changing whose they are: they are not flows.
create table analytics_points (
    month           date    not null,
    issuer_id       text    not null,
    counterparty_id text    not null,
    kind            text    not null check (kind in ('ISSUED', 'BONUS', 'REDEEMED', 'EXPIRED', 'REVERSED')),
    points          bigint  not null default 0,
    point_seconds   numeric not null default 0,
    members         int     not null default 0,
    primary key (month, issuer_id, counterparty_id, kind)
);
create index analytics_points_by_counterparty on analytics_points (counterparty_id, month);
create index analytics_points_by_issuer on analytics_points (issuer_id, month);

create table analytics_flow_members (
    month       date not null,
    issuer_id   text not null,
    redeemer_id text not null,
    member_id   uuid not null,
    primary key (month, issuer_id, redeemer_id, member_id)
);

-- Campaign ROI: every member who earned at the campaign's partner within its window, or within the equally long
-- window before it, and whether the campaign rewarded them. Those not rewarded are the control group.
create table analytics_campaign_members (
    campaign_id   uuid           not null,
    member_id     uuid           not null,
    rewarded      boolean        not null default false,
    bonus_points  bigint         not null default 0,
    cost_amount   numeric(19, 4) not null default 0,
    spend_before  numeric(19, 4) not null default 0,
    visits_before int            not null default 0,
    spend_during  numeric(19, 4) not null default 0,
    visits_during int            not null default 0,
    primary key (campaign_id, member_id)
);

create table analytics_campaigns_folded (
    campaign_id uuid primary key
);

create table analytics_campaign_groups (
    campaign_id   uuid           not null,
    rewarded      boolean        not null,
    members       int            not null default 0,
    bonus_points  bigint         not null default 0,
    cost_amount   numeric(19, 4) not null default 0,
    spend_before  numeric(19, 4) not null default 0,
    visits_before bigint         not null default 0,
    spend_during  numeric(19, 4) not null default 0,
    visits_during bigint         not null default 0,
    primary key (campaign_id, rewarded)
);

-- Row-level security. Member-level tables: the job only. Aggregates: the coalition's analysts and operators read
-- all of them; a partner reads its own scope, and the point flows it is a side of (the gateway suppresses the
-- cross-brand ones below the minimum group size before they leave).
create function coalition_reads_analytics() returns boolean
    language sql stable as $$ select coalition_caller_kind() in ('ANALYST', 'OPERATOR', 'SYSTEM') $$;

do $$
declare
    _table text;
begin
    foreach _table in array array['analytics_member_state', 'analytics_flow_members',
                                  'analytics_campaign_members', 'analytics_campaigns_folded'] loop
        execute format('alter table %I enable row level security', _table);
        execute format('alter table %I force row level security', _table);
        execute format('create policy %I on %I using (coalition_caller_kind() = ''SYSTEM'')', _table || '_job_only', _table);
    end loop;
    foreach _table in array array['analytics_cohort_sizes', 'analytics_cohort_months', 'analytics_last_active',
                                  'analytics_segments'] loop
        execute format('alter table %I enable row level security', _table);
        execute format('alter table %I force row level security', _table);
        execute format('create policy %I on %I using (coalition_reads_analytics() or scope = coalition_partner()) '
                       'with check (coalition_caller_kind() = ''SYSTEM'')', _table || '_by_caller', _table);
    end loop;
end
$$;

alter table analytics_state enable row level security;
alter table analytics_state force row level security;
create policy analytics_state_by_caller on analytics_state
    using (coalition_reads_analytics() or coalition_caller_kind() = 'PARTNER')
    with check (coalition_caller_kind() = 'SYSTEM');

alter table analytics_points enable row level security;
alter table analytics_points force row level security;
create policy analytics_points_by_caller on analytics_points
    using (coalition_reads_analytics() or issuer_id = coalition_partner() or counterparty_id = coalition_partner())
    with check (coalition_caller_kind() = 'SYSTEM');

alter table analytics_campaign_groups enable row level security;
alter table analytics_campaign_groups force row level security;
create policy analytics_campaign_groups_by_caller on analytics_campaign_groups
    using (coalition_reads_analytics()
           or exists (select 1 from campaigns c where c.id = campaign_id and c.partner_id = coalition_partner()))
    with check (coalition_caller_kind() = 'SYSTEM');

-- Analysts read campaigns (for ROI) like operators do.
drop policy campaigns_by_caller on campaigns;
create policy campaigns_by_caller on campaigns
    using (coalition_sees_all() or coalition_caller_kind() in ('SYSTEM', 'ANALYST') or partner_id = coalition_partner())
    with check (partner_id = coalition_partner());

-- The watermark must see every running transaction of the gateway's role (it does: same role); reading those of
-- other roles too needs pg_read_all_stats, which only a superuser may grant. Without it the lag covers them.
do $$
begin
    grant pg_read_all_stats to ${appRole};
exception when insufficient_privilege then
    raise notice 'analytics: ${appRole} cannot read other roles'' transactions; the watermark lag covers them';
end
$$;

create function analytics_segment(_spend numeric, _thresholds numeric[]) returns text
    language sql immutable as $$
    select case when _spend <= 0 then 'NO_SPEND'
                when _spend >= _thresholds[1] then 'TOP'
                when _spend >= _thresholds[2] then 'HIGH'
                when _spend >= _thresholds[3] then 'MEDIUM'
                else 'LOW' end
$$;

create function analytics_month(_at timestamptz) returns date
    language sql immutable as $$ select date_trunc('month', _at at time zone 'UTC')::date $$;

-- Segments again from the member rows, when the thresholds changed.
create function analytics_resegment(_thresholds numeric[]) returns void
    language plpgsql as $$
begin
    update analytics_member_state set segment = analytics_segment(spend, _thresholds)
    where segment <> analytics_segment(spend, _thresholds);
    delete from analytics_segments;
    insert into analytics_segments (scope, segment, members, spend, visits, points_earned, points_redeemed)
    select scope, segment, count(*), sum(spend), sum(visits), sum(points_earned), sum(points_redeemed)
    from analytics_member_state group by scope, segment;
    update analytics_state set segment_thresholds = _thresholds;
end
$$;
grant delete on analytics_segments to ${appRole};

-- Folds one batch (at most about _batch entries) into the aggregates and moves the watermark. Returns the entries
-- folded and the new watermark; call again while it folds any.
create function analytics_refresh(_currency text, _thresholds numeric[], _batch int, _lag interval, _horizon interval,
                                  out folded int, out watermark timestamptz)
    -- a batch sorts and hashes a few hundred thousand rows: in memory, not in temporary files
    language plpgsql set work_mem = '64MB' as $$
declare
    _from  timestamptz;
    _safe  timestamptz;
    _to    timestamptz;
    _cut   timestamptz;
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
    if _cut is null then
        _to := _safe;
    elsif _cut > _from then
        _to := _cut;
    else
        select coalesce(min(j.posted_at), _safe) into _to from journal_entries j where j.posted_at > _from and j.posted_at < _safe;
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
    perform analytics_fold_campaigns(_from, _currency);

    update analytics_state set watermark = _to, refreshed_at = now(), entries_folded = entries_folded + folded,
                               currency = _currency
    where id = 1;
    watermark := _to;
end
$$;

-- New members: the coalition's cohorts, and its NO_SPEND segment until they spend.
create function analytics_fold_enrolments(_from timestamptz, _to timestamptz, _thresholds numeric[]) returns void
    language plpgsql as $$
begin
    create temp table _enrolled on commit drop as
    select m.id as member_id, analytics_month(m.enrolled_at) as cohort_month
    from members m where m.enrolled_at >= _from and m.enrolled_at < _to;
    insert into analytics_member_state (scope, member_id, cohort_month, segment)
    select '*', member_id, cohort_month, analytics_segment(0, _thresholds) from _enrolled
    on conflict do nothing;
    insert into analytics_cohort_sizes as s (scope, cohort_month, members)
    select '*', cohort_month, count(*) from _enrolled group by cohort_month
    on conflict (scope, cohort_month) do update set members = s.members + excluded.members;
    insert into analytics_segments as s (scope, segment, members)
    select '*', analytics_segment(0, _thresholds), count(*) from _enrolled having count(*) > 0
    on conflict (scope, segment) do update set members = s.members + excluded.members;
end
$$;

-- Earns and burns (EARN, REDEMPTION, DONATION): member state, segments, last activity, cohorts. A partner's cohort
-- is the month of a member's first earn or burn there (the first one folded); the coalition's, the enrolment month.
create function analytics_fold_activity(_thresholds numeric[]) returns void
    language plpgsql as $$
begin
    create temp table _activity on commit drop as
    select s.scope, e.member_id, e.occurred_at, e.posted_at, analytics_month(e.occurred_at) as month,
           (e.occurred_at at time zone 'UTC')::date as day,
           case when e.kind = 'EARN' then e.spend else 0 end as spend,
           case when e.kind = 'EARN' then 1 else 0 end as visits,
           case when e.kind = 'EARN' then e.points else 0 end as earned,
           case when e.kind <> 'EARN' then -e.points else 0 end as redeemed
    from _entries e cross join lateral (values ('*'), (e.partner_id)) as s(scope)
    where e.kind in ('EARN', 'REDEMPTION', 'DONATION');
    analyze _activity;

    create temp table _old on commit drop as
    select s.* from analytics_member_state s
    where (s.scope, s.member_id) in (select scope, member_id from _activity);

    -- first activity at a partner opens the member's cohort there
    create temp table _opened on commit drop as
    select distinct on (a.scope, a.member_id) a.scope, a.member_id, a.month as cohort_month
    from _activity a
    where a.scope <> '*' and not exists (select 1 from _old o where o.scope = a.scope and o.member_id = a.member_id)
    order by a.scope, a.member_id, a.posted_at, a.occurred_at;
    insert into analytics_cohort_sizes as s (scope, cohort_month, members)
    select scope, cohort_month, count(*) from _opened group by scope, cohort_month
    on conflict (scope, cohort_month) do update set members = s.members + excluded.members;

    create temp table _new on commit drop as
    select d.scope, d.member_id, coalesce(o.cohort_month, p.cohort_month) as cohort_month,
           greatest(o.last_active_on, d.last_day) as last_active_on,
           coalesce(o.spend, 0) + d.spend as spend, coalesce(o.visits, 0) + d.visits as visits,
           coalesce(o.points_earned, 0) + d.earned as points_earned,
           coalesce(o.points_redeemed, 0) + d.redeemed as points_redeemed,
           analytics_segment(coalesce(o.spend, 0) + d.spend, _thresholds) as segment,
           array(select distinct m from unnest(coalesce(o.active_months, '{}') || d.months) m order by m) as active_months
    from (select scope, member_id, max(day) as last_day, sum(spend) as spend, sum(visits) as visits,
                 sum(earned) as earned, sum(redeemed) as redeemed, array_agg(distinct month) as months
          from _activity group by scope, member_id) d
    left join _old o on o.scope = d.scope and o.member_id = d.member_id
    left join _opened p on p.scope = d.scope and p.member_id = d.member_id;

    -- a member whose enrolment is not folded yet (impossible: it committed before the entry) would have no cohort
    delete from _new where cohort_month is null;
    analyze _new;

    insert into analytics_member_state as s (scope, member_id, cohort_month, last_active_on, spend, visits, points_earned,
                                             points_redeemed, segment, active_months)
    select scope, member_id, cohort_month, last_active_on, spend, visits, points_earned, points_redeemed, segment, active_months
    from _new
    on conflict (scope, member_id) do update set last_active_on = excluded.last_active_on, spend = excluded.spend,
        visits = excluded.visits, points_earned = excluded.points_earned, points_redeemed = excluded.points_redeemed,
        segment = excluded.segment, active_months = excluded.active_months;

    -- histogram and segments: take each member's old contribution out and put the new one in
    insert into analytics_last_active as h (scope, day, members)
    select scope, day, sum(n) from (
        select scope, last_active_on as day, -1 as n from _old where last_active_on is not null
        union all
        select scope, last_active_on, 1 from _new) c
    group by scope, day
    on conflict (scope, day) do update set members = h.members + excluded.members;

    insert into analytics_segments as g (scope, segment, members, spend, visits, points_earned, points_redeemed)
    select scope, segment, sum(members), sum(spend), sum(visits), sum(points_earned), sum(points_redeemed) from (
        select scope, segment, -1 as members, -spend as spend, -visits as visits, -points_earned as points_earned,
               -points_redeemed as points_redeemed from _old
        union all
        select scope, segment, 1, spend, visits, points_earned, points_redeemed from _new) c
    group by scope, segment
    on conflict (scope, segment) do update set members = g.members + excluded.members, spend = g.spend + excluded.spend,
        visits = g.visits + excluded.visits, points_earned = g.points_earned + excluded.points_earned,
        points_redeemed = g.points_redeemed + excluded.points_redeemed;

    -- cohort months: sums, and the members active in the month for the first time
    with marked as (
        select distinct a.scope, a.member_id, a.month from _activity a
        left join _old o on o.scope = a.scope and o.member_id = a.member_id
        where o.member_id is null or not (a.month = any(o.active_months))
    ), figures as (
        select a.scope, n.cohort_month, a.month, 0 as active, sum(a.spend) as spend, sum(a.visits) as visits,
               sum(a.earned) as earned, sum(a.redeemed) as redeemed
        from _activity a join _new n on n.scope = a.scope and n.member_id = a.member_id
        group by a.scope, n.cohort_month, a.month
        union all
        select m.scope, n.cohort_month, m.month, count(*), 0, 0, 0, 0
        from marked m join _new n on n.scope = m.scope and n.member_id = m.member_id
        group by m.scope, n.cohort_month, m.month
    )
    insert into analytics_cohort_months as c (scope, cohort_month, month, active_members, spend, visits, points_earned,
                                              points_redeemed)
    select scope, cohort_month, month, sum(active), sum(spend), sum(visits), sum(earned), sum(redeemed)
    from figures group by scope, cohort_month, month
    on conflict (scope, cohort_month, month) do update set active_members = c.active_members + excluded.active_members,
        spend = c.spend + excluded.spend, visits = c.visits + excluded.visits,
        points_earned = c.points_earned + excluded.points_earned, points_redeemed = c.points_redeemed + excluded.points_redeemed;
end
$$;

-- Points issued (from the issuers' postings), and what became of lots (from the lot draws): redeemed where,
-- expired, taken back. Redemptions also count distinct members per flow and the time from earn to burn.
create function analytics_fold_points() returns void
    language plpgsql as $$
begin
    create temp table _flows on commit drop as
    select analytics_month(e.occurred_at) as month, a.partner_id as issuer_id,
           case when e.kind = 'EARN' then a.partner_id else e.partner_id end as counterparty_id,
           case when e.kind = 'EARN' then 'ISSUED' else 'BONUS' end as kind,
           -p.amount as points, 0::numeric as point_seconds, null::uuid as member_id
    from _entries e join postings p on p.entry_id = e.id join accounts a on a.id = p.account_id
    where e.kind in ('EARN', 'BONUS') and a.kind = 'PARTNER_ISSUED'
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

-- Campaigns: earns at the campaign's partner in its window (during) or the equally long window before it (before),
-- and the bonuses it granted with what they cost the partner (the bonus entries' issuance fees). A campaign seen for
-- the first time is caught up with what was folded before it existed (its window before may lie in the past; an
-- entry occurs before it is posted, give or take the tills' clock skew).
create function analytics_fold_campaigns(_from timestamptz, _currency text) returns void
    language plpgsql as $$
begin
    create temp table _campaigns_new on commit drop as
    select c.* from campaigns c where not exists (select 1 from analytics_campaigns_folded f where f.campaign_id = c.id);
    insert into analytics_campaigns_folded (campaign_id) select id from _campaigns_new;

    create temp table _campaign_earns on commit drop as
    select c.id as campaign_id, c.starts_at, e.member_id, e.occurred_at, e.spend
    from _entries e join campaigns c on c.partner_id = e.partner_id
        and e.occurred_at >= c.starts_at - (c.ends_at - c.starts_at) and e.occurred_at < c.ends_at
    where e.kind = 'EARN'
    union all
    select c.id, c.starts_at, j.member_id, j.occurred_at,
           case when j.currency = _currency then coalesce(j.purchase_amount, 0) else 0 end
    from _campaigns_new c join journal_entries j on j.partner_id = c.partner_id and j.kind = 'EARN'
        and j.posted_at >= c.starts_at - (c.ends_at - c.starts_at) - interval '1 hour' and j.posted_at < _from
        and j.occurred_at >= c.starts_at - (c.ends_at - c.starts_at) and j.occurred_at < c.ends_at;

    create temp table _touch on commit drop as
    select campaign_id, member_id, false as rewarded, 0::bigint as bonus_points, 0::numeric as cost_amount,
           case when occurred_at < starts_at then spend else 0 end as spend_before,
           case when occurred_at < starts_at then 1 else 0 end as visits_before,
           case when occurred_at >= starts_at then spend else 0 end as spend_during,
           case when occurred_at >= starts_at then 1 else 0 end as visits_during
    from _campaign_earns
    union all
    select g.campaign_id, g.member_id, true, g.points,
           coalesce((select sum(r.amount) from settlement_records r where r.entry_id = g.entry_id and r.kind = 'ISSUANCE_FEE'), 0),
           0, 0, 0, 0
    from (select g.* from _entries e join bonus_grants g on g.entry_id = e.id
          where e.kind = 'BONUS' and g.campaign_id is not null
          union all
          select g.* from _campaigns_new c join bonus_grants g on g.campaign_id = c.id
          join journal_entries j on j.id = g.entry_id and j.posted_at < _from) g;

    if not exists (select 1 from _touch) then
        return;
    end if;

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

    insert into analytics_campaign_groups as g (campaign_id, rewarded, members, bonus_points, cost_amount, spend_before,
                                                visits_before, spend_during, visits_during)
    select campaign_id, rewarded, sum(members), sum(bonus_points), sum(cost_amount), sum(spend_before), sum(visits_before),
           sum(spend_during), sum(visits_during) from (
        select campaign_id, rewarded, -1 as members, -bonus_points as bonus_points, -cost_amount as cost_amount,
               -spend_before as spend_before, -visits_before as visits_before, -spend_during as spend_during,
               -visits_during as visits_during from _cold
        union all
        select campaign_id, rewarded, 1, bonus_points, cost_amount, spend_before, visits_before, spend_during, visits_during
        from _cnew) c
    group by campaign_id, rewarded
    on conflict (campaign_id, rewarded) do update set members = g.members + excluded.members,
        bonus_points = g.bonus_points + excluded.bonus_points, cost_amount = g.cost_amount + excluded.cost_amount,
        spend_before = g.spend_before + excluded.spend_before, visits_before = g.visits_before + excluded.visits_before,
        spend_during = g.spend_during + excluded.spend_during, visits_during = g.visits_during + excluded.visits_during;
end
$$;
