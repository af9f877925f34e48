-- Card numbers are no longer stored (issue 14, "minimal data"). members.card_number now holds the card's token:
-- its last four digits, a colon and the HMAC-SHA256 of the whole number under the gateway's card key
-- (coalition.privacy.card-key), e.g. '0017:9f86d081…'. A card number has too little entropy for a plain hash; without
-- the key the token reveals only the last four digits. The gateway computes the token of the number a partner sends
-- (member.CardTokens) and compares it on the same unique index, so a look-up by card stays one indexed statement and
-- the hot-path functions (V9 and later) keep their shape: they compare and return whatever this column holds.
-- An erased member's row holds 'erased:<member id>' instead (V27): unique, and no card number hashes to it.
--
-- Numbers stored before this migration are turned into tokens here, with the same key (Flyway placeholder cardKey);
-- pgcrypto is needed for that only, never at run time.
create extension if not exists pgcrypto;

update members set card_number = right(card_number, 4) || ':' || encode(hmac(card_number, $cardkey$${cardKey}$cardkey$, 'sha256'), 'hex')
where card_number ~ '^[0-9]{12,19}$';

comment on column members.card_number is
    'Card token: last four digits, '':'', hex HMAC-SHA256 of the card number under coalition.privacy.card-key. Never the number.';
