-- A dispute about a membership fee corrects money only: its ADJUSTMENT carries the disputed record's points, which
-- for a MEMBERSHIP_FEE record are 0, and the points check refused it (so accepting such a dispute failed). An
-- ADJUSTMENT may now have 0 points, like the fee records it corrects; its amount says what moves.
alter table settlement_records drop constraint settlement_records_points_check;
alter table settlement_records add constraint settlement_records_points_check
    check (points > 0 or (kind in ('MEMBERSHIP_FEE', 'ADJUSTMENT') and points = 0)) not valid;
alter table settlement_records validate constraint settlement_records_points_check;
