-- Every earn, redemption, expiry and bonus writes settlement records, and each record paid for six index entries.
-- Two of them were never read: statements, the matrix, the CSV, a partner's records and disputes all reach records
-- through period_records (a period's records) or by id and entry; analytics reads them by entry. A partner's records
-- by debtor or creditor and time were the way before periods existed (V6). Dropping the two saves an earn two
-- random-position index inserts on the hottest table after the journal.
drop index settlement_records_by_debtor;
drop index settlement_records_by_creditor;
