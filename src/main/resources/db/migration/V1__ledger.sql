-- Coalition Gateway ledger schema. Flyway owns it; the application never creates or drops tables.
-- Hot-path statements are keyed by member so that the member-scoped tables can later be distributed
-- by member id (Citus) and every earn and redemption stays a single-shard transaction.

create table partners (
    id         text primary key,
    name       text        not null,
    kind       text        not null check (kind in ('RETAILER', 'CHARITY', 'OPERATOR')),
    created_at timestamptz not null default now()
);

-- Every contract version that was ever loaded, as it was loaded: settlement and disputes refer to it.
create table contract_versions (
    partner_id     text        not null references partners (id),
    version        int         not null,
    effective_from timestamptz not null,
    document       jsonb       not null,
    loaded_at      timestamptz not null default now(),
    primary key (partner_id, version)
);

create table accounts (
    id         bigint generated always as identity primary key,
    kind       text not null check (kind in ('MEMBER', 'PARTNER_ISSUED', 'PARTNER_REDEEMED', 'BREAKAGE', 'HOLDS')),
    partner_id text references partners (id),
    member_id  uuid,
    constraint accounts_one_per_owner unique nulls not distinct (kind, partner_id, member_id),
    constraint accounts_owner_matches_kind check (
        (kind = 'MEMBER' and member_id is not null and partner_id is null)
        or (kind in ('PARTNER_ISSUED', 'PARTNER_REDEEMED') and partner_id is not null and member_id is null)
        or (kind in ('BREAKAGE', 'HOLDS') and partner_id is null and member_id is null))
);

insert into accounts (kind) values ('BREAKAGE'), ('HOLDS');

-- Only member accounts keep a stored balance; it changes in the same transaction as its postings,
-- through one conditional UPDATE, so no interleaving of requests can overdraw it.
create table members (
    id          uuid primary key,
    card_number text        not null unique,
    subject     text unique,
    account_id  bigint      not null unique references accounts (id),
    enrolled_by text references partners (id),
    enrolled_at timestamptz not null default now(),
    balance     bigint      not null default 0,
    held        bigint      not null default 0,
    constraint members_balance_not_negative check (balance >= 0),
    constraint members_held_within_balance check (held >= 0 and held <= balance)
);

-- One journal entry per transaction; append-only: a correction is a new entry that reverses it.
create table journal_entries (
    id                uuid primary key,
    kind              text        not null check (kind in ('EARN', 'REDEMPTION', 'REVERSAL', 'EXPIRY', 'DONATION', 'ADJUSTMENT')),
    member_id         uuid        not null references members (id),
    partner_id        text        not null references partners (id),
    points            int         not null,
    purchase_amount   numeric(19, 4),
    currency          char(3),
    channel           text check (channel in ('STORE', 'WEB', 'APP', 'PHONE', 'OTHER')),
    partner_reference text,
    occurred_at       timestamptz not null,
    posted_at         timestamptz not null default now(),
    reverses_id       uuid references journal_entries (id),
    contract_version  int
);

create index journal_entries_by_member on journal_entries (member_id, posted_at desc, id desc);
create index journal_entries_by_partner on journal_entries (partner_id, posted_at desc, id desc);
create index journal_entries_by_time on journal_entries (posted_at desc, id desc);
create index journal_entries_by_reference on journal_entries (partner_id, partner_reference) where partner_reference is not null;
create index journal_entries_reversals on journal_entries (reverses_id) where reverses_id is not null;

create table postings (
    entry_id   uuid   not null references journal_entries (id),
    account_id bigint not null references accounts (id),
    member_id  uuid   not null,
    amount     bigint not null check (amount <> 0),
    primary key (entry_id, account_id)
);

-- Leading with account then entry id spreads the inserts of a busy partner account over the index
-- instead of piling them onto its rightmost page.
create index postings_by_account on postings (account_id, entry_id);

-- What each earn gave, and how much of it is left: whose points were spent where.
create table lots (
    id         bigint generated always as identity primary key,
    member_id  uuid        not null references members (id),
    issuer_id  text        not null references partners (id),
    entry_id   uuid        not null references journal_entries (id),
    points     int         not null check (points > 0),
    remaining  int         not null,
    earned_at  timestamptz not null,
    expires_at timestamptz not null,
    constraint lots_remaining_within_points check (remaining >= 0 and remaining <= points)
);

create index lots_open_by_member on lots (member_id, earned_at, id) where remaining > 0;
create index lots_open_by_expiry on lots (expires_at) where remaining > 0;

-- Which lots a redemption (or donation, expiry) consumed; reversals put points back from here.
create table lot_consumptions (
    entry_id  uuid   not null references journal_entries (id),
    lot_id    bigint not null references lots (id),
    member_id uuid   not null,
    issuer_id text   not null references partners (id),
    points    int    not null check (points > 0),
    primary key (entry_id, lot_id)
);

-- The first outcome of every mutation, by caller and key; a retry replays it.
create table idempotency_keys (
    scope        text        not null,
    key          text        not null check (length(key) between 1 and 255),
    operation    text        not null,
    request_hash text        not null,
    result_id    text,
    created_at   timestamptz not null default now(),
    primary key (scope, key)
);
