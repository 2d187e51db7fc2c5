CREATE TABLE `writ_ledger_tree_chains` (
	`chain_id` text PRIMARY KEY NOT NULL,
	`next_seq` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE TABLE `writ_ledger_tree_heads` (
	`tree_size` integer PRIMARY KEY NOT NULL,
	`root_hash` text NOT NULL,
	`time` integer NOT NULL,
	`signer` text NOT NULL,
	`key_thumbprint` text NOT NULL,
	`signature` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `writ_ledger_tree_nodes` (
	`level` integer NOT NULL,
	`idx` integer NOT NULL,
	`hash` text NOT NULL,
	PRIMARY KEY(`level`, `idx`)
);
--> statement-breakpoint
CREATE TABLE `writ_ledger_tree_segments` (
	`tree_start` integer PRIMARY KEY NOT NULL,
	`chain_id` text NOT NULL,
	`first_seq` integer NOT NULL,
	`row_count` integer NOT NULL,
	`sequenced_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `writ_ledger_tree_segments_chain` ON `writ_ledger_tree_segments` (`chain_id`,`first_seq`);--> statement-breakpoint
CREATE TABLE `writ_ledger_tree_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`tree_size` integer NOT NULL,
	`peaks_json` text NOT NULL
);
--> statement-breakpoint
-- The tree's segments, its stored nodes and its signed heads are append-only,
-- like the rows they cover; only the sequencer's own place (state, chains) moves.
CREATE TRIGGER writ_ledger_tree_segments_no_update BEFORE UPDATE ON writ_ledger_tree_segments
BEGIN SELECT RAISE(ABORT, 'writ_ledger_tree_segments is append-only: UPDATE is refused'); END;
--> statement-breakpoint
CREATE TRIGGER writ_ledger_tree_segments_no_delete BEFORE DELETE ON writ_ledger_tree_segments
BEGIN SELECT RAISE(ABORT, 'writ_ledger_tree_segments is append-only: DELETE is refused'); END;
--> statement-breakpoint
CREATE TRIGGER writ_ledger_tree_nodes_no_update BEFORE UPDATE ON writ_ledger_tree_nodes
BEGIN SELECT RAISE(ABORT, 'writ_ledger_tree_nodes is append-only: UPDATE is refused'); END;
--> statement-breakpoint
CREATE TRIGGER writ_ledger_tree_nodes_no_delete BEFORE DELETE ON writ_ledger_tree_nodes
BEGIN SELECT RAISE(ABORT, 'writ_ledger_tree_nodes is append-only: DELETE is refused'); END;
--> statement-breakpoint
CREATE TRIGGER writ_ledger_tree_heads_no_update BEFORE UPDATE ON writ_ledger_tree_heads
BEGIN SELECT RAISE(ABORT, 'writ_ledger_tree_heads is append-only: UPDATE is refused'); END;
--> statement-breakpoint
CREATE TRIGGER writ_ledger_tree_heads_no_delete BEFORE DELETE ON writ_ledger_tree_heads
BEGIN SELECT RAISE(ABORT, 'writ_ledger_tree_heads is append-only: DELETE is refused'); END;
--> statement-breakpoint
INSERT INTO writ_ledger_tree_state (id, tree_size, peaks_json) VALUES (1, 0, '[]');
