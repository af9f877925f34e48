-- An erased member's paid memberships end with their current term: cancelled as of the erasure, so that no partner
-- can renew one (renewPaidMembership refuses a cancelled membership) and charge a person who has left. The term
-- already paid for runs out as bought; nothing is refunded (the member chose to leave after the cooling-off).
-- V27's erasure otherwise unchanged.
create or replace function member_erase_personal_data(_member uuid, _scope text, _keep_key text) returns void
    language plpgsql security definer set search_path = public as $$
begin
    update members set card_number = 'erased:' || id::text, card_sealed = null, subject = null, erased_at = now()
    where id = _member;
    update paid_memberships set cancelled_at = now()
    where member_id = _member and status = 'ACTIVE' and cancelled_at is null;
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
