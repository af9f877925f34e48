-- Settlement records get time-ordered ids, as journal entries now do (ledger.EntryIds): a version 7 UUID starts with
-- the millisecond it was made, so the records' primary key grows at its right edge instead of taking every insert on
-- a random leaf page (which, once the table outgrows the cache, is a page read per record, and after a checkpoint a
-- whole page in the WAL). The other 74 bits come from gen_random_uuid().
create function coalition_uuid_v7() returns uuid
    language sql volatile parallel safe as $$
    select encode(
        set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                                placing substring(int8send((extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
                                from 1 for 6),
                        52, 1), 53, 1),  -- version 4 (0100) becomes 7 (0111)
        'hex')::uuid
$$;

create or replace function settlement_record_entry(_entry uuid, _member uuid, _kinds text[], _debtors text[], _creditors text[],
                                                   _points int[], _amounts numeric[], _currencies text[]) returns void
    language plpgsql as $$
begin
    insert into settlement_records (id, kind, entry_id, member_id, debtor_id, creditor_id, points, amount, currency)
    select coalition_uuid_v7(), r.kind, _entry, _member, r.debtor, r.creditor, r.points, r.amount, r.currency
    from unnest(_kinds, _debtors, _creditors, _points, _amounts, _currencies)
         as r(kind, debtor, creditor, points, amount, currency);
end
$$;
