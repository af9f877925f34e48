-- The ledger's own rows reference their entry, their lot and their member without foreign keys (issue 6). V10 kept
-- these keys because nobody else locks the rows they point at; but each still costs a check per row: a trigger, a
-- statement through SPI, an index look-up and a FOR KEY SHARE lock on a row the same statement has just written. An
-- earn made seven of them (its entry's member; its two postings', its lot's and its settlement record's entry; its
-- lot's and its record's member). Measured in the running benchmark (bench/README.md, "Session 16"), three alternating
-- rounds of 20 s: 3,184-3,323 earns/s at 0.29-0.30 ms of PostgreSQL CPU per earn with the keys, 3,692-3,720/s at 0.25
-- without.
--
-- What they guarded still holds, for the same reasons V10 gave for partners and accounts:
-- - every one of these rows is written by the statement that writes its entry (earn_points, redeem_points and the
--   other ledger functions), in the same transaction, with the entry's id and a member that statement has just found;
-- - nothing deletes an entry, a lot or a member: the gateway's role has no DELETE on them, and erasure anonymises a
--   member rather than removing it;
-- - LedgerAudit checks that every posting, lot, lot draw and settlement record has its entry, every lot draw its lot,
--   and every entry, lot and settlement record its member, as it checks every other invariant of the ledger.
-- The other keys stay (a reversal's original entry, a transferred lot's source, a hold's member and transaction): they
-- point at rows of earlier transactions, and no earn or redemption pays for them.
alter table journal_entries drop constraint journal_entries_member_id_fkey;
alter table postings drop constraint postings_entry_id_fkey;
alter table lots drop constraint lots_member_id_fkey, drop constraint lots_entry_id_fkey;
alter table lot_consumptions drop constraint lot_consumptions_entry_id_fkey, drop constraint lot_consumptions_lot_id_fkey;
alter table settlement_records drop constraint settlement_records_member_id_fkey,
                               drop constraint settlement_records_entry_id_fkey;
