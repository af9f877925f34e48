-- Card key rotation (README, "Rotating the card key"). A card's token and sealed copy are made with the current card
-- key; while previous keys are configured, a look-up by card compares the card's tokens under every configured key
-- (member.CardTokens.candidates) on the unique index, and member.CardKeyRotation moves the cards stored under a
-- previous key to the current one.

-- Which key made a member's card_number and card_sealed: a short public fingerprint of it (CardTokens.keyId).
-- '' means not recorded: stored before this migration or by SQL (bench/seed.sql); the rotation job opens such a card's
-- sealed copy with whichever key sealed it and stores it again under the current key, once.
alter table members add column card_key text not null default '';
comment on column members.card_key is
    'Fingerprint of the card key that made card_number and card_sealed (member.CardTokens.keyId); '''' if not recorded.';
-- What the rotation job looks for: cards it can move (a sealed copy) under a given key. Balance updates do not touch
-- card_key or card_sealed, so they stay HOT.
create index members_card_key_to_move on members (card_key) where card_sealed is not null;

-- V27's hot-path look-ups and balance changes, with a card given as its candidate tokens joined by ','
-- (CardTokens.CANDIDATE_SEPARATOR, never part of a token): "= any" of an array stays one index look-up. The
-- signatures are V27's, so the earn and redemption functions that call them are unchanged.
create or replace function member_find(_by text, _ref text) returns members
    language plpgsql stable as $$
declare
    _member members;
begin
    if _by = 'ID' then
        select * into _member from members where id = _ref::uuid and erased_at is null;
    elsif _by = 'CARD' then
        select * into _member from members where card_number = any(string_to_array(_ref, ','));
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
        -- one card is one member under any key (enrolment refuses a card stored under another key); a second row
        -- would make this update fail: PL/pgSQL refuses RETURNING INTO of more than one row
        update members set balance = balance + _points, last_active_at = now()
        where card_number = any(string_to_array(_ref, ',')) returning * into _member;
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
        where card_number = any(string_to_array(_ref, ',')) and balance - held >= _points returning * into _member;
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
