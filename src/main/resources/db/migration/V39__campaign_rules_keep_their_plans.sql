-- The campaign rule and its helpers in PL/pgSQL, as V23 did for the earn's other helpers: PostgreSQL plans a
-- SQL-language function it cannot inline afresh on every call, and every earn whose basket a campaign matches asks
-- campaign_admits (with sub-queries) and its helpers. In bench/ (run-20261204T223626Z) two such campaigns per earn
-- doubled PostgreSQL's time per earn. Same signatures, same rule as V28's.

create or replace function member_in_paid_club(_member uuid, _at timestamptz) returns boolean
    language plpgsql stable security definer set search_path = public as $$
begin
    return exists (select 1 from paid_memberships p where p.member_id = _member and p.starts_at <= _at and _at < p.ends_at);
end
$$;

create or replace function member_consents_to(_member uuid, _purpose text, _partner text default '') returns boolean
    language plpgsql stable security definer set search_path = public as $$
begin
    return coalesce((select c.granted from member_consents c
                     where c.member_id = _member and c.purpose = _purpose and c.partner_id = coalesce(_partner, '')), false);
end
$$;

create or replace function campaign_admits(_c campaigns, _member members, _at timestamptz, _earn uuid) returns boolean
    language plpgsql stable as $$
begin
    return (not campaign_is_targeted(_c) or member_consents_to(_member.id, 'PERSONALISED_OFFERS'))
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
       and (_c.segment_paid_members is null or member_in_paid_club(_member.id, _at) = _c.segment_paid_members);
end
$$;
