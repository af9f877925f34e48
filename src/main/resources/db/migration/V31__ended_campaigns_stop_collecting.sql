-- An ended campaign stops collecting members for its ROI figures (bench/README, session 4): the fold used to read a
-- campaign's window only, so a campaign ended early went on counting every shopper of its partner, as rewarded or
-- as control, until its planned end; with many such campaigns the fold outgrew its statement timeout. Purchases made
-- after a campaign was ended (its updated_at, set when its status changed) no longer count for it. V30's fold
-- otherwise unchanged.
create or replace function analytics_fold_campaigns(_from timestamptz, _currency text) returns void
    language plpgsql as $$
begin
    create temp table _campaigns_new on commit drop as
    select c.* from campaigns c where not exists (select 1 from analytics_campaigns_folded f where f.campaign_id = c.id);
    insert into analytics_campaigns_folded (campaign_id) select id from _campaigns_new;

    create temp table _campaign_earns on commit drop as
    select c.id as campaign_id, c.starts_at, e.member_id, e.occurred_at, e.spend
    from _entries e join campaigns c on c.partner_id = e.partner_id
        and e.occurred_at >= c.starts_at - (c.ends_at - c.starts_at) and e.occurred_at < c.ends_at
        and not (c.status = 'ENDED' and e.occurred_at >= c.updated_at)
    where e.kind = 'EARN'
    union all
    select c.id, c.starts_at, j.member_id, j.occurred_at,
           case when j.currency = _currency then coalesce(j.purchase_amount, 0) else 0 end
    from _campaigns_new c join journal_entries j on j.partner_id = c.partner_id and j.kind = 'EARN'
        and j.posted_at >= c.starts_at - (c.ends_at - c.starts_at) - interval '1 hour' and j.posted_at < _from
        and j.occurred_at >= c.starts_at - (c.ends_at - c.starts_at) and j.occurred_at < c.ends_at
        and not (c.status = 'ENDED' and j.occurred_at >= c.updated_at);

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
