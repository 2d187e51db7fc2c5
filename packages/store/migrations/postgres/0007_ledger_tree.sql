CREATE TABLE "writ_ledger_tree_chains" (
	"chain_id" text PRIMARY KEY NOT NULL,
	"next_seq" bigint NOT NULL,
	"finished_at" bigint
);
--> statement-breakpoint
CREATE TABLE "writ_ledger_tree_heads" (
	"tree_size" bigint PRIMARY KEY NOT NULL,
	"root_hash" text NOT NULL,
	"time" bigint NOT NULL,
	"signer" text NOT NULL,
	"key_thumbprint" text NOT NULL,
	"signature" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "writ_ledger_tree_nodes" (
	"level" bigint NOT NULL,
	"idx" bigint NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "writ_ledger_tree_nodes_level_idx_pk" PRIMARY KEY("level","idx")
);
--> statement-breakpoint
CREATE TABLE "writ_ledger_tree_segments" (
	"tree_start" bigint PRIMARY KEY NOT NULL,
	"chain_id" text NOT NULL,
	"first_seq" bigint NOT NULL,
	"row_count" bigint NOT NULL,
	"sequenced_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "writ_ledger_tree_state" (
	"id" bigint PRIMARY KEY NOT NULL,
	"tree_size" bigint NOT NULL,
	"peaks_json" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "writ_ledger_tree_segments_chain" ON "writ_ledger_tree_segments" USING btree ("chain_id","first_seq");--> statement-breakpoint
-- The tree's segments, its stored nodes and its signed heads are append-only,
-- like the rows they cover; only the sequencer's own place (state, chains) moves.
CREATE TRIGGER writ_ledger_tree_segments_append_only BEFORE UPDATE OR DELETE ON writ_ledger_tree_segments FOR EACH ROW EXECUTE FUNCTION writ_refuse_change();
--> statement-breakpoint
CREATE TRIGGER writ_ledger_tree_segments_no_truncate BEFORE TRUNCATE ON writ_ledger_tree_segments FOR EACH STATEMENT EXECUTE FUNCTION writ_refuse_change();
--> statement-breakpoint
CREATE TRIGGER writ_ledger_tree_nodes_append_only BEFORE UPDATE OR DELETE ON writ_ledger_tree_nodes FOR EACH ROW EXECUTE FUNCTION writ_refuse_change();
--> statement-breakpoint
CREATE TRIGGER writ_ledger_tree_nodes_no_truncate BEFORE TRUNCATE ON writ_ledger_tree_nodes FOR EACH STATEMENT EXECUTE FUNCTION writ_refuse_change();
--> statement-breakpoint
CREATE TRIGGER writ_ledger_tree_heads_append_only BEFORE UPDATE OR DELETE ON writ_ledger_tree_heads FOR EACH ROW EXECUTE FUNCTION writ_refuse_change();
--> statement-breakpoint
CREATE TRIGGER writ_ledger_tree_heads_no_truncate BEFORE TRUNCATE ON writ_ledger_tree_heads FOR EACH STATEMENT EXECUTE FUNCTION writ_refuse_change();
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON writ_ledger_tree_segments, writ_ledger_tree_nodes, writ_ledger_tree_heads FROM PUBLIC, CURRENT_USER;
--> statement-breakpoint
INSERT INTO writ_ledger_tree_state (id, tree_size, peaks_json) VALUES (1, 0, '[]');
