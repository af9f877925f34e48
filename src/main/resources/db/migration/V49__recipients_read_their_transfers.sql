-- The recipient of a transfer sees it in their own history. A transfer is one TRANSFER entry whose member is the
-- sender, and its reversal one REVERSAL entry of the sender too (V17), so V2's policy let a member read only the
-- sender's side. This permissive policy adds, for member callers and for reading only, exactly the entries of the
-- transfers they received: the TRANSFER entry (entry_id) and the REVERSAL that reverses it (reverses_id), found by
-- one probe of the unique member_transfers_by_entry. PostgreSQL ORs it with journal_entries_by_caller. It selects
-- no rows by itself: member reads keep their own member, id or partner conditions and the indexes behind those
-- (TransactionRepository), and other entry kinds stop at the kind test. member_transfers' own policy (a member
-- sees the transfers they sent or received) applies inside the subquery as well.
create policy journal_entries_received_transfers on journal_entries for select
    using (coalition_caller_kind() = 'MEMBER'
           and kind in ('TRANSFER', 'REVERSAL')
           and exists (select from member_transfers t
                       where t.entry_id = coalesce(journal_entries.reverses_id, journal_entries.id)
                         and t.recipient_id = coalition_member()));
