-- The audit ledger is append-only, enforced by the database itself: rows,
-- checkpoints, chain keys, revocations and the live change log can be
-- inserted and read, never changed or removed. A payload can only be erased
-- (its body set to NULL once), which never touches the hash chain.
-- Two layers: triggers refuse the change for every role (the owner included),
-- and the privileges to change these tables are revoked, so a writer role
-- (see grantPostgresWriter) cannot even try.
CREATE FUNCTION writ_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE FUNCTION writ_payload_erase_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.hash = OLD.hash AND NEW.stored_at = OLD.stored_at
     AND NEW.body_json IS NULL AND NEW.erased_at IS NOT NULL AND OLD.erased_at IS NULL THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'writ_ledger_payloads: a payload can only be erased (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE TRIGGER writ_ledger_append_only BEFORE UPDATE OR DELETE ON writ_ledger FOR EACH ROW EXECUTE FUNCTION writ_refuse_change();
--> statement-breakpoint
CREATE TRIGGER writ_ledger_no_truncate BEFORE TRUNCATE ON writ_ledger FOR EACH STATEMENT EXECUTE FUNCTION writ_refuse_change();
--> statement-breakpoint
CREATE TRIGGER writ_ledger_checkpoints_append_only BEFORE UPDATE OR DELETE ON writ_ledger_checkpoints FOR EACH ROW EXECUTE FUNCTION writ_refuse_change();
--> statement-breakpoint
CREATE TRIGGER writ_ledger_checkpoints_no_truncate BEFORE TRUNCATE ON writ_ledger_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION writ_refuse_change();
--> statement-breakpoint
CREATE TRIGGER writ_ledger_chains_append_only BEFORE UPDATE OR DELETE ON writ_ledger_chains FOR EACH ROW EXECUTE FUNCTION writ_refuse_change();
--> statement-breakpoint
CREATE TRIGGER writ_ledger_chains_no_truncate BEFORE TRUNCATE ON writ_ledger_chains FOR EACH STATEMENT EXECUTE FUNCTION writ_refuse_change();
--> statement-breakpoint
CREATE TRIGGER writ_revocations_append_only BEFORE UPDATE OR DELETE ON writ_revocations FOR EACH ROW EXECUTE FUNCTION writ_refuse_change();
--> statement-breakpoint
CREATE TRIGGER writ_revocations_no_truncate BEFORE TRUNCATE ON writ_revocations FOR EACH STATEMENT EXECUTE FUNCTION writ_refuse_change();
--> statement-breakpoint
CREATE TRIGGER writ_live_changes_append_only BEFORE UPDATE OR DELETE ON writ_live_changes FOR EACH ROW EXECUTE FUNCTION writ_refuse_change();
--> statement-breakpoint
CREATE TRIGGER writ_live_changes_no_truncate BEFORE TRUNCATE ON writ_live_changes FOR EACH STATEMENT EXECUTE FUNCTION writ_refuse_change();
--> statement-breakpoint
CREATE TRIGGER writ_ledger_payloads_erase_only BEFORE UPDATE OR DELETE ON writ_ledger_payloads FOR EACH ROW EXECUTE FUNCTION writ_payload_erase_only();
--> statement-breakpoint
CREATE TRIGGER writ_ledger_payloads_no_truncate BEFORE TRUNCATE ON writ_ledger_payloads FOR EACH STATEMENT EXECUTE FUNCTION writ_refuse_change();
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON writ_ledger, writ_ledger_checkpoints, writ_ledger_chains, writ_revocations, writ_live_changes FROM PUBLIC, CURRENT_USER;
--> statement-breakpoint
REVOKE DELETE, TRUNCATE ON writ_ledger_payloads FROM PUBLIC, CURRENT_USER;
--> statement-breakpoint
INSERT INTO writ_live_counter (id, seq) VALUES (1, 0);
