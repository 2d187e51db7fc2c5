CREATE TABLE `writ_oauth_clients` (
	`client_id` text PRIMARY KEY NOT NULL,
	`data` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `writ_oauth_codes` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`data` text NOT NULL,
	`expires_at` integer NOT NULL,
	`redeemed_family` text
);
--> statement-breakpoint
CREATE INDEX `writ_oauth_codes_expiry` ON `writ_oauth_codes` (`expires_at`);--> statement-breakpoint
CREATE TABLE `writ_oauth_families` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`data` text NOT NULL,
	`dpop_jkt` text,
	`current_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE TABLE `writ_oauth_family_writs` (
	`jti` text PRIMARY KEY NOT NULL,
	`family_id` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `writ_oauth_family_writs_family` ON `writ_oauth_family_writs` (`family_id`);--> statement-breakpoint
CREATE TABLE `writ_oauth_refresh_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`family_id` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `writ_oauth_refresh_tokens_family` ON `writ_oauth_refresh_tokens` (`family_id`);--> statement-breakpoint
CREATE TABLE `writ_oauth_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`browser_hash` text NOT NULL,
	`data` text NOT NULL,
	`user_id` text,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `writ_oauth_requests_expiry` ON `writ_oauth_requests` (`expires_at`);