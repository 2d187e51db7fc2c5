-- The audit ledger is append-only, enforced by the database itself: rows,
-- checkpoints, chain keys, revocations and the live change log can be
-- inserted and read, never changed or removed. A payload can only be erased
-- (its body set to NULL once), which never touches the hash chain.
CREATE TRIGGER writ_ledger_no_update BEFORE UPDATE ON writ_ledger
BEGIN SELECT RAISE(ABORT, 'writ_ledger is append-only: UPDATE is refused'); END;
--> statement-breakpoint
CREATE TRIGGER writ_ledger_no_delete BEFORE DELETE ON writ_ledger
BEGIN SELECT RAISE(ABORT, 'writ_ledger is append-only: DELETE is refused'); END;
--> statement-breakpoint
CREATE TRIGGER writ_ledger_checkpoints_no_update BEFORE UPDATE ON writ_ledger_checkpoints
BEGIN SELECT RAISE(ABORT, 'writ_ledger_checkpoints is append-only: UPDATE is refused'); END;
--> statement-breakpoint
CREATE TRIGGER writ_ledger_checkpoints_no_delete BEFORE DELETE ON writ_ledger_checkpoints
BEGIN SELECT RAISE(ABORT, 'writ_ledger_checkpoints is append-only: DELETE is refused'); END;
--> statement-breakpoint
CREATE TRIGGER writ_ledger_chains_no_update BEFORE UPDATE ON writ_ledger_chains
BEGIN SELECT RAISE(ABORT, 'writ_ledger_chains is append-only: UPDATE is refused'); END;
--> statement-breakpoint
CREATE TRIGGER writ_ledger_chains_no_delete BEFORE DELETE ON writ_ledger_chains
BEGIN SELECT RAISE(ABORT, 'writ_ledger_chains is append-only: DELETE is refused'); END;
--> statement-breakpoint
CREATE TRIGGER writ_revocations_no_update BEFORE UPDATE ON writ_revocations
BEGIN SELECT RAISE(ABORT, 'writ_revocations is append-only: revocations are permanent'); END;
--> statement-breakpoint
CREATE TRIGGER writ_revocations_no_delete BEFORE DELETE ON writ_revocations
BEGIN SELECT RAISE(ABORT, 'writ_revocations is append-only: revocations are permanent'); END;
--> statement-breakpoint
CREATE TRIGGER writ_live_changes_no_update BEFORE UPDATE ON writ_live_changes
BEGIN SELECT RAISE(ABORT, 'writ_live_changes is append-only: UPDATE is refused'); END;
--> statement-breakpoint
CREATE TRIGGER writ_live_changes_no_delete BEFORE DELETE ON writ_live_changes
BEGIN SELECT RAISE(ABORT, 'writ_live_changes is append-only: DELETE is refused'); END;
--> statement-breakpoint
CREATE TRIGGER writ_ledger_payloads_erase_only BEFORE UPDATE ON writ_ledger_payloads
WHEN NEW.hash IS NOT OLD.hash OR NEW.stored_at IS NOT OLD.stored_at OR NEW.body_json IS NOT NULL
  OR NEW.erased_at IS NULL OR OLD.erased_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'writ_ledger_payloads: a payload can only be erased'); END;
--> statement-breakpoint
CREATE TRIGGER writ_ledger_payloads_no_delete BEFORE DELETE ON writ_ledger_payloads
BEGIN SELECT RAISE(ABORT, 'writ_ledger_payloads: a payload can only be erased, not deleted'); END;
--> statement-breakpoint
INSERT INTO writ_live_counter (id, seq) VALUES (1, 0);
