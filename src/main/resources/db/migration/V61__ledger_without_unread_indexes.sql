-- Postings and lot draws are read by their entry only (the primary keys, which lead with entry_id: a transaction's
-- legs, a reversal's draws, the analytics fold, the campaign report); the ledger audit reads them whole, scanning and
-- hashing. No query reads postings_by_account, postings_by_partner or lot_consumptions_by_partner, and every posting
-- and every draw paid for them. postings_by_account cost the most: a member's leg lands on a random leaf of it, which
-- PostgreSQL must find in its buffers, or read, and write back later. On bench/batch-earn's replayed batches of 8 earns,
-- dropping the two postings indexes took PostgreSQL's CPU per earn from 0.37 to 0.33 ms (three alternating pairs;
-- bench/README.md, "Session 12"). Row-level security (V2) still decides which rows a partner reads.

drop index postings_by_account;
drop index postings_by_partner;
drop index lot_consumptions_by_partner;
