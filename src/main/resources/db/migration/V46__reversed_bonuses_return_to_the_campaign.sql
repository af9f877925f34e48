-- A campaign bonus reversed with its earn (returned goods) goes back to the campaign: to its budget, into the
-- slot with least left (any slot will do: grants take from whichever has enough), and off the member's tally for
-- the per-member cap, so that the points the campaign gives away are the points its members keep. Runs as the
-- reversing partner, whose own campaign it is (row-level security on the slots).
create function campaign_bonus_returned(_campaign uuid, _member uuid, _points int) returns void
    language plpgsql as $$
begin
    update campaign_budget_slots set remaining = remaining + _points
    where campaign_id = _campaign
      and slot = (select s.slot from campaign_budget_slots s where s.campaign_id = _campaign order by s.remaining, s.slot limit 1);
    update campaign_member_bonuses set points = greatest(points - _points, 0)
    where campaign_id = _campaign and member_id = _member;
end
$$;
