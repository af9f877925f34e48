-- Every earn, redemption and hold rewrites its member's row (balance, held, last_active_at), and every earn its
-- qualifying points row. None of those columns is indexed, so PostgreSQL can write the new version beside the old one on
-- the same page and skip the indexes (a HOT update), but only where the page has room: at the default fill factor of
-- 100 it has none, and each such update inserted into all six of members' indexes. In the benchmark (session 9) only
-- 22 % of member updates were HOT, and index inserts were the largest item of PostgreSQL's CPU per earn. A fifth of each
-- page is kept free from now on; pages written before keep their layout until rewritten (pg_repack, or VACUUM FULL in a
-- maintenance window).
alter table members set (fillfactor = 80);
alter table member_qualifying set (fillfactor = 80);
