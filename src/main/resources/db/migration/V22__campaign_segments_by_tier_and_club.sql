-- Campaign segments by tier and by paid club (README "Campaigns"), and one rule for who a campaign admits.
--
-- Who a campaign admits used to be written twice, in campaign_bonuses_grant (the earn) and in offer.OfferService
-- (me.offers); both now ask campaign_admits, so an offer is shown exactly when an earn would be granted it.
--
-- segment_tiers: the tier ids the campaign is for. A member without a member_tiers row is in the program's entry
-- tier, which the campaign remembers as segment_entry_tier (the tier program lives in a file, not in the database).
-- segment_paid_members: true, only members of an active paid club; false, only members of none; null, anyone.

alter table campaigns add column segment_tiers text[];
alter table campaigns add column segment_entry_tier text;
alter table campaigns add column segment_paid_members boolean;
alter table campaigns add constraint campaigns_segment_tiers check (segment_tiers is null or cardinality(segment_tiers) > 0);

-- Whether the member is in a paid club at _at. Security definer: a partner's earn must see memberships other
-- partners sold (it learns only this yes or no, as member_club_multiplier tells the multiplier).
create function member_in_paid_club(_member uuid, _at timestamptz) returns boolean
    language sql stable security definer set search_path = public as $$
    select exists (select 1 from paid_memberships where member_id = _member and starts_at <= _at and _at < ends_at)
$$;

-- Whether campaign _c admits _member for a purchase at _at. _earn is the earn being granted (excluded from the
-- member's history), or null when asking before any earn (me.offers).
create function campaign_admits(_c campaigns, _member members, _at timestamptz, _earn uuid) returns boolean
    language sql stable as $$
    select (_c.new_members_within_days is null
                or _member.enrolled_at >= now() - make_interval(days => _c.new_members_within_days))
       and (_c.inactive_for_days is null or not exists (
                select 1 from journal_entries j
                where j.member_id = _member.id and j.kind = 'EARN' and j.id is distinct from _earn
                  and j.posted_at > now() - make_interval(days => _c.inactive_for_days)))
       and (_c.rule_kind <> 'FIRST_VISIT_BONUS' or (
                _member.enrolled_by is distinct from _c.partner_id
                and not exists (select 1 from journal_entries j
                                where j.member_id = _member.id and j.partner_id = _c.partner_id and j.kind = 'EARN'
                                  and j.id is distinct from _earn)))
       and (_c.segment_tiers is null
                or coalesce((select t.tier from member_tiers t where t.member_id = _member.id), _c.segment_entry_tier)
                   = any (_c.segment_tiers))
       and (_c.segment_paid_members is null or member_in_paid_club(_member.id, _at) = _c.segment_paid_members)
$$;

-- V16's grant, asking campaign_admits.
create or replace function campaign_bonuses_grant(
        _member members, _earn uuid, _partner text, _operator text, _channel text, _occurred_at timestamptz,
        _contract_version int, _unit_accounts bigint[], _unit_amounts bigint[], _lot_expires_at timestamptz,
        _campaigns uuid[], _points int[], _entries uuid[], _issue_price numeric, _fee_currency text,
        out member_after members, out granted_campaigns uuid[], out granted_points int[])
    language plpgsql as $$
declare
    _c campaigns;
    _p int;
    _got int;
begin
    member_after := _member;
    granted_campaigns := '{}';
    granted_points := '{}';
    for i in 1 .. coalesce(array_length(_campaigns, 1), 0) loop
        _p := _points[i];
        select * into _c from campaigns where id = _campaigns[i];
        continue when _c.id is null or _c.status <> 'ACTIVE' or _c.partner_id <> _partner
                      or not (_occurred_at >= _c.starts_at and _occurred_at < _c.ends_at);
        continue when not campaign_admits(_c, member_after, _occurred_at, _earn);
        if _c.per_member_cap_points is not null then
            select coalesce(max(u.points), 0) into _got from campaign_member_bonuses u
            where u.campaign_id = _c.id and u.member_id = member_after.id;
            _p := least(_p, _c.per_member_cap_points - _got);
        end if;
        continue when _p <= 0;
        _p := campaign_budget_take(_c.id, _p, (hashtext(_earn::text) & 63));
        continue when _p = 0;
        insert into campaign_member_bonuses as u (campaign_id, member_id, points) values (_c.id, member_after.id, _p)
        on conflict (campaign_id, member_id) do update set points = u.points + excluded.points;
        member_after := bonus_post(member_after, _entries[i], _partner, _partner, _operator, _p, _channel, _occurred_at,
            _contract_version,
            _unit_accounts, _unit_amounts, _lot_expires_at, _issue_price, _fee_currency);
        insert into bonus_grants (entry_id, campaign_id, earn_entry_id, member_id, partner_id, points)
        values (_entries[i], _c.id, _earn, member_after.id, _partner, _p);
        granted_campaigns := granted_campaigns || _c.id;
        granted_points := granted_points || _p;
    end loop;
end
$$;
