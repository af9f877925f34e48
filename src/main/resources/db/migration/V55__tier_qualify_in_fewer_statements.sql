-- tier_qualify runs in every earn and cost PostgreSQL 0.28 ms of it (bench/README, track_functions): the qualifying
-- upsert, the member's tier, then a nested security-definer call for the window's sum and a query over the unnested
-- thresholds. Now the sum is inline (tier_measure stays for the review job and the tier progress query, same
-- expression), the thresholds are walked in PL/pgSQL, and a member already at the top tier stops after the upsert:
-- there is nothing higher to reach. Same signature, same results.
create or replace function tier_qualify(_member uuid, _partner text, _points int, _at timestamptz, _measure text,
                                        _window_months int, _tiers text[], _thresholds int[]) returns text
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    _month date := date_trunc('month', _at at time zone 'UTC')::date;
    _value int;
    _current text;
    _target text;
begin
    if _points > 0 then
        insert into member_qualifying as q (member_id, month, partner_id, points) values (_member, _month, _partner, _points)
        on conflict (member_id, month, partner_id) do update set points = q.points + excluded.points;
    end if;
    select t.tier into _current from member_tiers t where t.member_id = _member;
    if _current is null or array_position(_tiers, _current) is null then
        _current := _tiers[1];
    end if;
    if array_position(_tiers, _current) = cardinality(_tiers) then
        return _current;
    end if;
    -- as tier_measure (V23)
    select case when _measure = 'DISTINCT_PARTNERS' then count(distinct q.partner_id)::int else coalesce(sum(q.points), 0)::int end
    into _value
    from member_qualifying q
    where q.member_id = _member and q.month between (_month - make_interval(months => _window_months - 1))::date and _month
      and q.points > 0;
    -- the highest tier whose threshold the value reaches
    for _rank in 1 .. cardinality(_tiers) loop
        if _thresholds[_rank] <= _value then
            _target := _tiers[_rank];
        end if;
    end loop;
    if array_position(_tiers, _target) > array_position(_tiers, _current) then
        insert into member_tiers (member_id, tier, since) values (_member, _target, now())
        on conflict (member_id) do update set tier = excluded.tier, since = excluded.since;
        insert into tier_changes (member_id, from_tier, to_tier, reason, qualifying)
        values (_member, _current, _target, 'QUALIFIED', _value);
        insert into ledger_events (member_id, tier_changed) values (_member, true);
        return _target;
    end if;
    return _current;
end
$$;
