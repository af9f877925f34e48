-- Campaign targeting honours consent (issue 14). A campaign with a segment (new members, lapsed members, tiers,
-- paid-club members) is aimed at members picked from their history: it admits only members who consent to
-- PERSONALISED_OFFERS now. Campaigns without a segment (a category multiplier, a basket bonus for everybody, a
-- partner's first-visit bonus) stay open to every member. campaign_admits (V22) is the one rule the earn's grant and
-- me.offers ask, so a withdrawn member drops out of both from the withdrawal's commit on.

create function campaign_is_targeted(_c campaigns) returns boolean
    language sql immutable as $$
    select _c.new_members_within_days is not null or _c.inactive_for_days is not null
        or _c.segment_tiers is not null or _c.segment_paid_members is not null
$$;

-- V22's rule, with consent first: one primary-key look-up, and only for targeted campaigns.
create or replace function campaign_admits(_c campaigns, _member members, _at timestamptz, _earn uuid) returns boolean
    language sql stable as $$
    select (not campaign_is_targeted(_c) or member_consents_to(_member.id, 'PERSONALISED_OFFERS'))
       and (_c.new_members_within_days is null
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
