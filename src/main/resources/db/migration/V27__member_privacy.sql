-- Member privacy (issue 14): consent per purpose, a log of who read a member's personal data, erasure that keeps
-- the ledger exact, and review of members inactive for long. README, "Member privacy", says what is stored and why.

-- ------------------------------------------------------------------ members: erasure and activity
-- An erased member's row stays (the ledger, lots and settlement records refer to its id) without anything that
-- leads back to a person: card token replaced, login (subject) removed, erased_at set.
alter table members add column erased_at timestamptz;
-- The member's last own action (earn, redemption, donation, consent, claim): what the retention review looks at.
-- Set by the hot-path functions below in the row update they make anyway; not indexed, so that update stays HOT.
alter table members add column last_active_at timestamptz not null default now();
update members m set last_active_at = greatest(m.enrolled_at,
    coalesce((select max(j.posted_at) from journal_entries j where j.member_id = m.id), m.enrolled_at));

-- V9's look-ups and balance changes, with an erased member found by id no more, and activity recorded.
create or replace function member_find(_by text, _ref text) returns members
    language plpgsql stable as $$
declare
    _member members;
begin
    if _by = 'ID' then
        select * into _member from members where id = _ref::uuid and erased_at is null;
    elsif _by = 'CARD' then
        select * into _member from members where card_number = _ref;
    else
        select * into _member from members where subject = _ref;
    end if;
    return _member;
end
$$;

create or replace function member_credit(_by text, _ref text, _points bigint) returns members
    language plpgsql as $$
declare
    _member members;
begin
    if _by = 'ID' then
        update members set balance = balance + _points, last_active_at = now()
        where id = _ref::uuid and erased_at is null returning * into _member;
    elsif _by = 'CARD' then
        update members set balance = balance + _points, last_active_at = now() where card_number = _ref returning * into _member;
    else
        update members set balance = balance + _points, last_active_at = now() where subject = _ref returning * into _member;
    end if;
    if _member.id is null then
        raise exception 'no member has this id or card number' using errcode = 'CG404';
    end if;
    return _member;
end
$$;

create or replace function member_debit_available(_by text, _ref text, _points bigint) returns members
    language plpgsql as $$
declare
    _member members;
begin
    if _by = 'ID' then
        update members set balance = balance - _points, last_active_at = now()
        where id = _ref::uuid and erased_at is null and balance - held >= _points returning * into _member;
    elsif _by = 'CARD' then
        update members set balance = balance - _points, last_active_at = now()
        where card_number = _ref and balance - held >= _points returning * into _member;
    else
        update members set balance = balance - _points, last_active_at = now()
        where subject = _ref and balance - held >= _points returning * into _member;
    end if;
    if _member.id is null then
        _member := member_find(_by, _ref);
        if _member.id is null then
            raise exception 'no member has this id or card number' using errcode = 'CG404';
        end if;
        raise exception 'The member has % points available, % requested', _member.balance - _member.held, _points
            using errcode = 'CG402';
    end if;
    return _member;
end
$$;

-- The card number sealed for its member alone (AES-256-GCM under a key derived from the card key, member.CardTokens):
-- the member's own view (me, the member portal's QR card) shows it whole; nothing else reads it, no statement
-- compares it. Cards enrolled before V26 have none and show masked to their member too.
alter table members add column card_sealed text;

-- ------------------------------------------------------------------ consent
-- The member's current choice per purpose; partner_id is '' for the coalition-wide purposes and the partner for
-- MARKETING_CONTACT (each partner asks on its own). No row means no consent: everything is opt-in (GDPR art. 7).
create table member_consents (
    member_id   uuid        not null references members (id),
    purpose     text        not null check (purpose in ('PERSONALISED_OFFERS', 'ANALYTICS', 'MARKETING_CONTACT')),
    partner_id  text        not null default '',
    granted     boolean     not null,
    changed_at  timestamptz not null,
    channel     text        not null check (channel in ('STORE', 'WEB', 'APP', 'PHONE', 'OTHER')),
    recorded_by text        not null,
    primary key (member_id, purpose, partner_id),
    constraint member_consents_partner_for_marketing check ((purpose = 'MARKETING_CONTACT') = (partner_id <> ''))
);

-- Every change, as it was given: the proof art. 7(1) asks for (who recorded it, when, through which channel). It
-- names no person, only the member id, and stays after an erasure.
create table member_consent_events (
    id          bigint generated always as identity primary key,
    member_id   uuid        not null references members (id),
    purpose     text        not null,
    partner_id  text        not null,
    granted     boolean     not null,
    given_at    timestamptz not null,
    recorded_at timestamptz not null default now(),
    channel     text        not null,
    recorded_by text        not null
);
create index member_consent_events_by_member on member_consent_events (member_id, id);

-- For campaign targeting, offers and analytics: whether the member consents to a purpose now (for
-- MARKETING_CONTACT, to that partner's). Any caller may ask (SECURITY DEFINER: the answer is one boolean); analytics
-- must filter every figure that is not an aggregate with it, e.g. "where member_consents_to(m.id, 'ANALYTICS')".
create function member_consents_to(_member uuid, _purpose text, _partner text default '') returns boolean
    language sql stable security definer set search_path = public as $$
    select coalesce((select c.granted from member_consents c
                     where c.member_id = _member and c.purpose = _purpose and c.partner_id = coalesce(_partner, '')), false)
$$;

-- ------------------------------------------------------------------ who read a member's personal data
create table personal_data_reads (
    id              bigint generated always as identity primary key,
    member_id       uuid        not null,
    reader_kind     text        not null check (reader_kind in ('PARTNER', 'SETTLEMENT', 'OPERATOR', 'ANALYST')),
    reader_partner  text,
    reader_subject  text,
    what            text        not null,
    read_at         timestamptz not null default now()
);
create index personal_data_reads_by_member on personal_data_reads (member_id, read_at desc, id desc);
create index personal_data_reads_by_time on personal_data_reads (read_at desc, id desc);

-- ------------------------------------------------------------------ erasure and retention
-- The receipt of an erasure: what became of the points and the holds. Names no person.
create table member_erasures (
    member_id        uuid primary key references members (id),
    -- the result id of the member's own erasure request: a retry finds its receipt by it (the login is gone)
    request_id       uuid unique,
    erased_at        timestamptz not null default now(),
    requested_by     text        not null check (requested_by in ('MEMBER', 'OPERATOR', 'RETENTION')),
    points_forfeited int         not null check (points_forfeited >= 0),
    points_donated   int         not null check (points_donated >= 0),
    donated_to       text,
    holds_voided     int         not null check (holds_voided >= 0)
);

-- Members inactive for longer than coalition.privacy.inactive-after, flagged by the retention job for an
-- operator to decide on: ERASE (points forfeited) or KEEP (e.g. a dispute still open; flagged again later).
create table retention_reviews (
    member_id      uuid primary key references members (id),
    flagged_at     timestamptz not null default now(),
    last_active_at timestamptz not null,
    decision       text check (decision in ('ERASE', 'KEEP')),
    decided_at     timestamptz,
    decided_by     text,
    note           text
);
create index retention_reviews_open on retention_reviews (flagged_at, member_id) where decision is null;

-- Row-level security. Members read their own rows; the settlement team and operators read all; everything is
-- written as the gateway (SYSTEM) once the service has decided who may, or, for the read log, by anyone: a read
-- is logged whoever makes it. Not forced: member_consents_to runs as the owner.
alter table member_consents enable row level security;
create policy member_consents_by_caller on member_consents
    using (coalition_sees_all() or (coalition_caller_kind() = 'MEMBER' and member_id = coalition_member()))
    with check (coalition_caller_kind() = 'SYSTEM');

alter table member_consent_events enable row level security;
create policy member_consent_events_by_caller on member_consent_events
    using (coalition_sees_all() or (coalition_caller_kind() = 'MEMBER' and member_id = coalition_member()))
    with check (coalition_caller_kind() = 'SYSTEM');

alter table personal_data_reads enable row level security;
create policy personal_data_reads_visible on personal_data_reads for select
    using (coalition_caller_kind() in ('OPERATOR', 'SYSTEM')
           or (coalition_caller_kind() = 'MEMBER' and member_id = coalition_member()));
create policy personal_data_reads_logged on personal_data_reads for insert with check (true);

alter table member_erasures enable row level security;
create policy member_erasures_by_caller on member_erasures
    using (coalition_caller_kind() in ('OPERATOR', 'SYSTEM')) with check (coalition_caller_kind() = 'SYSTEM');

alter table retention_reviews enable row level security;
create policy retention_reviews_by_caller on retention_reviews
    using (coalition_caller_kind() in ('OPERATOR', 'SYSTEM')) with check (coalition_caller_kind() in ('OPERATOR', 'SYSTEM'));

grant delete on member_consents to ${appRole};

-- The personal data of an erased member, removed or made unlinkable in one place (the ledger side, points and
-- holds, is booked by the gateway before, in the same transaction). Runs as the owner: it deletes from tables the
-- gateway may otherwise never delete from. Kept: the member id in the ledger, lots, settlement records, tiers,
-- campaign and challenge history (a random id that nothing links to a person any more), consent events (proof),
-- the erasure receipt and _keep_key, the erasure's own idempotency key, so that a retry answers the same.
create function member_erase_personal_data(_member uuid, _scope text, _keep_key text) returns void
    language plpgsql security definer set search_path = public as $$
begin
    update members set card_number = 'erased:' || id::text, card_sealed = null, subject = null, erased_at = now()
    where id = _member;
    delete from member_consents where member_id = _member;
    delete from household_invitations where invitee_id = _member or invited_by = _member;
    delete from household_members where member_id = _member;
    update member_transfers set message = null where sender_id = _member or recipient_id = _member;
    delete from referral_codes where member_id = _member;
    delete from idempotency_keys where scope = _scope and key <> coalesce(_keep_key, '');
    update retention_reviews set decision = coalesce(decision, 'ERASE'), decided_at = coalesce(decided_at, now())
    where member_id = _member;
end
$$;
revoke execute on function member_erase_personal_data(uuid, text, text) from public;
grant execute on function member_erase_personal_data(uuid, text, text) to ${appRole};

-- ------------------------------------------------------------------ data export (GDPR art. 15 and 20)
-- Everything held about one member, as one JSON document, and nothing about anybody else: rows of other members
-- that mention this one (a transfer's other side) appear without the other member's id. A feature that adds a table
-- with personal data adds its section here. Runs as the owner so that one statement reads every table; the gateway
-- calls it only for the member themselves or an operator (whose read is logged).
create function member_data_export(_member uuid) returns jsonb
    language sql stable security definer set search_path = public as $$
    select jsonb_build_object(
        'format', 'coalition-member-data-export/1',
        'exportedAt', now(),
        'member', (select jsonb_build_object(
                       'id', m.id, 'login', m.subject, 'enrolledAt', m.enrolled_at, 'enrolledBy', m.enrolled_by,
                       'balance', m.balance, 'held', m.held, 'lastActiveAt', m.last_active_at)
                   from members m where m.id = _member),
        'cards', (select jsonb_build_array(jsonb_build_object(
                      'lastFourDigits', split_part(m.card_number, ':', 1),
                      'storedAs', 'the last four digits, a keyed hash (HMAC-SHA256) for look-ups, and the number encrypted (AES-256-GCM) for your own view only'))
                  from members m where m.id = _member),
        'consents', coalesce((select jsonb_agg(to_jsonb(c) - 'member_id' order by c.purpose, c.partner_id)
                              from member_consents c where c.member_id = _member), '[]'),
        'consentHistory', coalesce((select jsonb_agg(to_jsonb(c) - 'member_id' - 'id' order by c.id)
                                    from member_consent_events c where c.member_id = _member), '[]'),
        'transactions', coalesce((select jsonb_agg(to_jsonb(e) - 'member_id' order by e.posted_at, e.id)
                                  from journal_entries e where e.member_id = _member), '[]'),
        'pointLots', coalesce((select jsonb_agg(to_jsonb(l) - 'member_id' order by l.earned_at, l.id)
                               from lots l where l.member_id = _member), '[]'),
        'redemptionHolds', coalesce((select jsonb_agg(to_jsonb(h) - 'member_id' order by h.created_at, h.id)
                                     from redemption_holds h where h.member_id = _member), '[]'),
        'tier', (select to_jsonb(t) - 'member_id' from member_tiers t where t.member_id = _member),
        'tierChanges', coalesce((select jsonb_agg(to_jsonb(t) - 'member_id' - 'id' order by t.changed_at, t.id)
                                 from tier_changes t where t.member_id = _member), '[]'),
        'campaignAndBonusHistory', coalesce((select jsonb_agg((to_jsonb(g) - 'member_id') || jsonb_build_object('campaign', c.name)
                                                              order by g.entry_id)
                                             from bonus_grants g left join campaigns c on c.id = g.campaign_id
                                             where g.member_id = _member), '[]'),
        'challengesCompleted', coalesce((select jsonb_agg(to_jsonb(k) - 'member_id' order by k.completed_at)
                                         from challenge_completions k where k.member_id = _member), '[]'),
        'paidMemberships', coalesce((select jsonb_agg(to_jsonb(p) - 'member_id' order by p.id)
                                     from paid_memberships p where p.member_id = _member), '[]'),
        'household', (select jsonb_build_object('householdId', h.household_id, 'joinedAt', h.joined_at)
                      from household_members h where h.member_id = _member),
        'transfers', coalesce((select jsonb_agg(jsonb_build_object('direction', case when t.sender_id = _member then 'SENT' else 'RECEIVED' end)
                                                || (to_jsonb(t) - 'sender_id' - 'recipient_id') order by t.created_at, t.id)
                               from member_transfers t where _member in (t.sender_id, t.recipient_id)), '[]'),
        'referralCode', (select r.code from referral_codes r where r.member_id = _member),
        'personalDataReads', coalesce((select jsonb_agg(jsonb_build_object('readerKind', r.reader_kind, 'partnerId', r.reader_partner,
                                                                           'what', r.what, 'readAt', r.read_at) order by r.id)
                                       from personal_data_reads r where r.member_id = _member), '[]'))
$$;
revoke execute on function member_data_export(uuid) from public;
grant execute on function member_data_export(uuid) to ${appRole};
