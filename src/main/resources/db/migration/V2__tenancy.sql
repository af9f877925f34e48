-- Tenancy enforced by PostgreSQL itself: the gateway connects as ${appRole}, which owns no table, and
-- sets who is calling at the start of every transaction with set_config(..., true). Row-level security
-- then hides every other partner's journal rows, so a resolver that forgets its partner filter still
-- reads nothing foreign. An unset caller sees nothing: the policies fail closed.

do $$
begin
    if not exists (select from pg_roles where rolname = '${appRole}') then
        create role ${appRole} login;
    end if;
end
$$;

grant usage on schema public to ${appRole};
grant select, insert, update on all tables in schema public to ${appRole};
grant usage, select on all sequences in schema public to ${appRole};
alter default privileges in schema public grant select, insert, update on tables to ${appRole};
alter default privileges in schema public grant usage, select on sequences to ${appRole};

-- The journal is append-only, down to the database grants: corrections are new, linked entries.
revoke update on journal_entries, postings, lot_consumptions, flyway_schema_history from ${appRole};

-- Every partner-scoped row names its partner, including the legs and lot draws of an entry.
alter table postings add column partner_id text not null references partners (id);
alter table lot_consumptions add column partner_id text not null references partners (id);
create index postings_by_partner on postings (partner_id, entry_id);
create index lot_consumptions_by_partner on lot_consumptions (partner_id, entry_id);

create function coalition_caller_kind() returns text
    language sql stable as $$ select coalesce(current_setting('app.caller_kind', true), '') $$;

create function coalition_partner() returns text
    language sql stable as $$ select nullif(current_setting('app.partner_id', true), '') $$;

-- The calling member's id, from the subject of their token (members carry no RLS themselves).
create function coalition_member() returns uuid
    language sql stable as $$ select id from members where subject = nullif(current_setting('app.member_subject', true), '') $$;

create function coalition_sees_all() returns boolean
    language sql stable as $$ select coalition_caller_kind() in ('SETTLEMENT', 'OPERATOR', 'SYSTEM') $$;

alter table journal_entries enable row level security;
alter table journal_entries force row level security;
create policy journal_entries_by_caller on journal_entries
    using (coalition_sees_all()
           or partner_id = coalition_partner()
           or (coalition_caller_kind() = 'MEMBER' and member_id = coalition_member()))
    with check (coalition_caller_kind() in ('OPERATOR', 'SYSTEM')
                or partner_id = coalition_partner()
                or (coalition_caller_kind() = 'MEMBER' and member_id = coalition_member()));

alter table postings enable row level security;
alter table postings force row level security;
create policy postings_by_caller on postings
    using (coalition_sees_all()
           or partner_id = coalition_partner()
           or (coalition_caller_kind() = 'MEMBER' and member_id = coalition_member()))
    with check (coalition_caller_kind() in ('OPERATOR', 'SYSTEM')
                or partner_id = coalition_partner()
                or (coalition_caller_kind() = 'MEMBER' and member_id = coalition_member()));

alter table lot_consumptions enable row level security;
alter table lot_consumptions force row level security;
create policy lot_consumptions_by_caller on lot_consumptions
    using (coalition_sees_all()
           or partner_id = coalition_partner()
           or (coalition_caller_kind() = 'MEMBER' and member_id = coalition_member()))
    with check (coalition_caller_kind() in ('OPERATOR', 'SYSTEM')
                or partner_id = coalition_partner()
                or (coalition_caller_kind() = 'MEMBER' and member_id = coalition_member()));

-- Idempotency keys belong to one caller: another partner's identical key is another request.
alter table idempotency_keys enable row level security;
alter table idempotency_keys force row level security;
create policy idempotency_keys_by_caller on idempotency_keys
    using (coalition_caller_kind() = 'SYSTEM' or scope = current_setting('app.scope', true))
    with check (coalition_caller_kind() = 'SYSTEM' or scope = current_setting('app.scope', true));
