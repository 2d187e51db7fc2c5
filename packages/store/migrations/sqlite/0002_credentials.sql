CREATE TABLE `writ_credential_connections` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`tenant_id` text,
	`provider` text NOT NULL,
	`status` text NOT NULL,
	`scopes_json` text NOT NULL,
	`refresh_token` text,
	`refresh_key_id` text,
	`version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`refreshed_at` integer,
	`broken_at` integer,
	`broken_reason` text,
	`lease_owner` text,
	`lease_until` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `writ_credential_connections_user_provider` ON `writ_credential_connections` (`user_id`,`provider`);--> statement-breakpoint
CREATE INDEX `writ_credential_connections_key` ON `writ_credential_connections` (`refresh_key_id`);--> statement-breakpoint
CREATE TABLE `writ_credential_pending` (
	`state_hash` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`user_id` text NOT NULL,
	`tenant_id` text,
	`scopes_json` text NOT NULL,
	`verifier` text NOT NULL,
	`key_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `writ_credential_pending_expiry` ON `writ_credential_pending` (`expires_at`);--> statement-breakpoint
CREATE INDEX `writ_credential_pending_key` ON `writ_credential_pending` (`key_id`);--> statement-breakpoint
CREATE TABLE `writ_credential_tokens` (
	`connection_id` text NOT NULL,
	`scope_key` text NOT NULL,
	`token` text NOT NULL,
	`key_id` text NOT NULL,
	`token_type` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`connection_id`, `scope_key`)
);
--> statement-breakpoint
CREATE INDEX `writ_credential_tokens_key` ON `writ_credential_tokens` (`key_id`);