-- A reversed earn stops counting towards the member's tier: its points come off the month and partner it was
-- counted for (tier_qualify, V16), never below zero. A member keeps a tier reached with it until the review, as
-- with any downgrade; the review then measures without the returned goods.
create function tier_unqualify(_member uuid, _partner text, _points int, _at timestamptz) returns void
    language plpgsql security definer set search_path = public, pg_temp as $$
begin
    update member_qualifying set points = greatest(0, points - _points)
    where member_id = _member and partner_id = _partner and month = date_trunc('month', _at at time zone 'UTC')::date;
end
$$;
