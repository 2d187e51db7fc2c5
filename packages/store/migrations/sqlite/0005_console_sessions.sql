CREATE TABLE `writ_console_sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`subject` text NOT NULL,
	`tenant_id` text,
	`role` text NOT NULL,
	`api_key_id` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `writ_console_sessions_expiry` ON `writ_console_sessions` (`expires_at`);