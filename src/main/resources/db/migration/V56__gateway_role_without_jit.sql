-- The gateway's statements are look-ups and short writes. PostgreSQL compiles a plan with LLVM (JIT) once its
-- estimated cost passes jit_above_cost (100,000): a member's history over tens of thousands of entries did, and paid
-- over a second of compilation for a page of twenty rows (session 6, on a helper's scratch database). Nothing the
-- gateway runs scans enough rows to earn that back: the analytics job folds at most 20,000 entries a batch, and the
-- settlement close is set-based over one period. Off for the gateway's role, like its timeouts (V3).
alter role ${appRole} set jit = off;
