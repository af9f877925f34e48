-- coalition_instant (V11) formats an event's times. It was declared immutable, but to_char is only stable, and
-- PostgreSQL does not inline a SQL function whose body is more volatile than it claims: every call ran as a function
-- call of its own, about 50 us, twice per earn (its TransactionPosted payload). Declared stable it is inlined into
-- the statements that use it (pg_stat_user_functions stops counting it; bench/README, session 6).
alter function coalition_instant(timestamptz) stable;
