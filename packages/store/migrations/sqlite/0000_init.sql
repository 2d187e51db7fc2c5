CREATE TABLE `writ_agent_keys` (
	`thumbprint` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`public_jwk` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `writ_agent_keys_agent` ON `writ_agent_keys` (`agent_id`);--> statement-breakpoint
CREATE TABLE `writ_agent_policies` (
	`agent_id` text NOT NULL,
	`position` integer NOT NULL,
	`grant_json` text NOT NULL,
	PRIMARY KEY(`agent_id`, `position`)
);
--> statement-breakpoint
CREATE TABLE `writ_agents` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `writ_approvals` (
	`id` text PRIMARY KEY NOT NULL,
	`call_id` text NOT NULL,
	`action` text NOT NULL,
	`args_hash` text NOT NULL,
	`leaf_hash` text NOT NULL,
	`tool` text NOT NULL,
	`user_id` text NOT NULL,
	`agent_id` text NOT NULL,
	`tenant_id` text,
	`chain_json` text NOT NULL,
	`requested_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`status` text NOT NULL,
	`decided_by` text,
	`decided_at` integer,
	`reason` text
);
--> statement-breakpoint
CREATE INDEX `writ_approvals_call` ON `writ_approvals` (`call_id`);--> statement-breakpoint
CREATE INDEX `writ_approvals_status` ON `writ_approvals` (`status`,`requested_at`);--> statement-breakpoint
CREATE TABLE `writ_hops` (
	`jti` text PRIMARY KEY NOT NULL,
	`parent_jti` text,
	`user_id` text NOT NULL,
	`tenant_id` text,
	`from_agent` text,
	`to_agent` text NOT NULL,
	`issuer` text NOT NULL,
	`grants_json` text NOT NULL,
	`issued_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`recorded_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `writ_hops_parent` ON `writ_hops` (`parent_jti`);--> statement-breakpoint
CREATE TABLE `writ_issuer_keys` (
	`kid` text PRIMARY KEY NOT NULL,
	`issuer` text NOT NULL,
	`status` text NOT NULL,
	`private_jwk` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `writ_ledger` (
	`chain_id` text NOT NULL,
	`seq` integer NOT NULL,
	`id` text NOT NULL,
	`time` integer NOT NULL,
	`tenant_id` text,
	`kind` text NOT NULL,
	`call_id` text,
	`user_id` text,
	`agent_id` text,
	`chain_json` text,
	`action` text,
	`tool` text,
	`adapter` text,
	`decision` text,
	`reason` text,
	`outcome` text,
	`error` text,
	`duration_ms` real,
	`input_hash` text,
	`output_hash` text,
	`detail_json` text,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL,
	PRIMARY KEY(`chain_id`, `seq`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `writ_ledger_id` ON `writ_ledger` (`id`);--> statement-breakpoint
CREATE INDEX `writ_ledger_time` ON `writ_ledger` (`time`,`chain_id`,`seq`);--> statement-breakpoint
CREATE INDEX `writ_ledger_call` ON `writ_ledger` (`call_id`);--> statement-breakpoint
CREATE INDEX `writ_ledger_user` ON `writ_ledger` (`user_id`,`time`);--> statement-breakpoint
CREATE INDEX `writ_ledger_agent` ON `writ_ledger` (`agent_id`,`time`);--> statement-breakpoint
CREATE TABLE `writ_ledger_chains` (
	`chain_id` text PRIMARY KEY NOT NULL,
	`started_at` integer NOT NULL,
	`key_thumbprint` text NOT NULL,
	`public_jwk` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `writ_ledger_checkpoints` (
	`chain_id` text NOT NULL,
	`seq` integer NOT NULL,
	`hash` text NOT NULL,
	`time` integer NOT NULL,
	`key_thumbprint` text NOT NULL,
	`signature` text NOT NULL,
	PRIMARY KEY(`chain_id`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `writ_ledger_payloads` (
	`hash` text PRIMARY KEY NOT NULL,
	`body_json` text,
	`stored_at` integer NOT NULL,
	`erased_at` integer
);
--> statement-breakpoint
CREATE TABLE `writ_live_changes` (
	`seq` integer PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`change_json` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `writ_live_counter` (
	`id` integer PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `writ_permissions` (
	`subject_kind` text NOT NULL,
	`subject_id` text NOT NULL,
	`position` integer NOT NULL,
	`grant_json` text NOT NULL,
	PRIMARY KEY(`subject_kind`, `subject_id`, `position`)
);
--> statement-breakpoint
CREATE TABLE `writ_revocations` (
	`kind` text NOT NULL,
	`target_id` text NOT NULL,
	`seq` integer NOT NULL,
	`at` integer NOT NULL,
	`reason` text,
	PRIMARY KEY(`kind`, `target_id`)
);
--> statement-breakpoint
CREATE TABLE `writ_role_members` (
	`role_id` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`role_id`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `writ_role_members_user` ON `writ_role_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `writ_roles` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `writ_tenants` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `writ_users` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `writ_users_tenant` ON `writ_users` (`tenant_id`);