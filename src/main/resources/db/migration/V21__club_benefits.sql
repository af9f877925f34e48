-- Paid-club benefits in the earn (README "Paid membership"): the earn pays the highest multiplier of the member's
-- clubs active at the purchase (member_club_multiplier, V18) on its base points, rounded down, as a BONUS the
-- operator funds.

alter table bonus_grants add column club text;
alter table bonus_grants drop constraint bonus_grants_cause;
alter table bonus_grants add constraint bonus_grants_cause
    check (num_nonnulls(campaign_id, tier, referral, challenge_id, club) = 1);

-- V20's earn_points, which now also pays the member's paid-club multiplier, the operator funding it (the club's fees are
-- the operator's, less the seller's commission).
drop function earn_points(text, text, text, text, text, text, text, uuid, text, text, text, int, numeric, text, text, text,
                          timestamptz, int, bigint[], bigint[], timestamptz, text[], text[], text[], int[], numeric[], text[],
                          text, bigint[], bigint[], numeric, text, uuid[], int[], uuid[],
                          text, int, text[], int[], int[], boolean[], bigint[], bigint[], uuid,
                          int, int, int, boolean, uuid, uuid);
-- (the drop above names V19's arguments, which V20 kept)
create function earn_points(
        _caller_kind text, _caller_partner text, _caller_subject text, _scope text,
        _key text, _operation text, _hash text, _entry uuid,
        _member_by text, _member_ref text,
        _partner text, _points int, _purchase_amount numeric, _currency text, _channel text, _reference text,
        _occurred_at timestamptz, _contract_version int, _accounts bigint[], _amounts bigint[], _lot_expires_at timestamptz,
        _record_kinds text[], _record_debtors text[], _record_creditors text[], _record_points int[],
        _record_amounts numeric[], _record_currencies text[],
        _operator text, _unit_accounts bigint[], _unit_amounts bigint[], _issue_price numeric, _fee_currency text,
        _bonus_campaigns uuid[], _bonus_points int[], _bonus_entries uuid[],
        _tier_measure text, _tier_window_months int, _tiers text[], _tier_thresholds int[], _tier_bonus_points int[],
        _tier_operator_funded boolean[], _operator_unit_accounts bigint[], _operator_unit_amounts bigint[], _tier_entry uuid,
        _referral_minimum_points int, _referred_bonus int, _referrer_bonus int, _referral_operator_funded boolean,
        _referred_entry uuid, _referrer_entry uuid, _club_entry uuid,
        out claimed boolean, out earlier_operation text, out earlier_hash text, out earlier_result text,
        out posted_at timestamptz, out id uuid, out card_number text, out account_id bigint,
        out balance bigint, out held bigint, out enrolled_at timestamptz,
        out granted_campaigns uuid[], out granted_points int[], out tier text, out tier_bonus int, out referral_bonus int,
        out completed_names text[], out completed_points int[], out completed_entries uuid[],
        out club_multiplier numeric, out club_bonus int)
    language plpgsql as $$
declare
    _member members;
    _grant record;
    _rank int;
begin
    select c.claimed, c.earlier_operation, c.earlier_hash, c.earlier_result
    into claimed, earlier_operation, earlier_hash, earlier_result
    from idempotency_claim_as(_caller_kind, _caller_partner, _caller_subject, _scope, _key, _operation, _hash, _entry) c;
    if not claimed then
        return;
    end if;
    _member := member_credit(_member_by, _member_ref, _points);
    posted_at := ledger_append_entry(_entry, 'EARN', _member.id, _partner, _points, _purchase_amount, _currency, _channel,
        _reference, _occurred_at, null, _contract_version,
        array(select case when a = 0 then _member.account_id else a end from unnest(_accounts) a), _amounts,
        _partner, _points, _occurred_at, _lot_expires_at, null);
    perform settlement_record_entry(_entry, _member.id, _record_kinds, _record_debtors, _record_creditors,
        _record_points, _record_amounts, _record_currencies);
    tier := tier_qualify(_member.id, _partner, _points, _occurred_at, _tier_measure, _tier_window_months, _tiers, _tier_thresholds);
    _rank := array_position(_tiers, tier);
    tier_bonus := coalesce(_tier_bonus_points[_rank], 0);
    if tier_bonus > 0 then
        if _tier_operator_funded[_rank] then
            _member := bonus_post(_member, _tier_entry, _partner, _operator, _operator, tier_bonus, _channel, _occurred_at,
                _contract_version, _operator_unit_accounts, _operator_unit_amounts, _lot_expires_at, null, null);
        else
            _member := bonus_post(_member, _tier_entry, _partner, _partner, _operator, tier_bonus, _channel, _occurred_at,
                _contract_version, _unit_accounts, _unit_amounts, _lot_expires_at, _issue_price, _fee_currency);
        end if;
        insert into bonus_grants (entry_id, tier, earn_entry_id, member_id, partner_id, points)
        values (_tier_entry, tier, _entry, _member.id, _partner, tier_bonus);
    end if;
    club_multiplier := member_club_multiplier(_member.id, _occurred_at);
    club_bonus := floor(_points * (club_multiplier - 1))::int;
    if club_bonus > 0 then
        _member := bonus_post(_member, _club_entry, _partner, _operator, _operator, club_bonus, _channel, _occurred_at,
            null, _operator_unit_accounts, _operator_unit_amounts, _lot_expires_at, null, null);
        insert into bonus_grants (entry_id, club, earn_entry_id, member_id, partner_id, points)
        values (_club_entry, club_multiplier::text, _entry, _member.id, _partner, club_bonus);
    end if;
    referral_bonus := 0;
    if _points >= _referral_minimum_points then
        select * into _grant from referral_reward(_member, _entry, _partner, _operator, _channel, _occurred_at, _contract_version,
            case when _referral_operator_funded then _operator else _partner end,
            case when _referral_operator_funded then _operator_unit_accounts else _unit_accounts end,
            case when _referral_operator_funded then _operator_unit_amounts else _unit_amounts end,
            _lot_expires_at, _issue_price, _fee_currency, _referred_bonus, _referrer_bonus, _referred_entry, _referrer_entry);
        _member := _grant.member_after;
        referral_bonus := _grant.referred_points;
    end if;
    if coalesce(array_length(_bonus_campaigns, 1), 0) > 0 then
        select * into _grant from campaign_bonuses_grant(_member, _entry, _partner, _operator, _channel, _occurred_at,
            _contract_version, _unit_accounts, _unit_amounts, _lot_expires_at, _bonus_campaigns, _bonus_points, _bonus_entries,
            _issue_price, _fee_currency);
        _member := _grant.member_after;
        granted_campaigns := _grant.granted_campaigns;
        granted_points := _grant.granted_points;
    end if;
    select * into _grant from challenges_award(_member, _entry, _partner, _operator, _channel, _occurred_at, _contract_version,
        _unit_accounts, _unit_amounts, _operator_unit_accounts, _operator_unit_amounts, _lot_expires_at, _issue_price, _fee_currency);
    _member := _grant.member_after;
    completed_names := _grant.names;
    completed_points := _grant.points;
    completed_entries := _grant.entries;
    select _member.id, _member.card_number, _member.account_id, _member.balance, _member.held, _member.enrolled_at
    into id, card_number, account_id, balance, held, enrolled_at;
end
$$;

