CREATE TABLE `writ_budget_counters` (
	`budget_key` text NOT NULL,
	`window_start` integer NOT NULL,
	`window_ms` integer NOT NULL,
	`scope` text NOT NULL,
	`subject` text NOT NULL,
	`budget` text NOT NULL,
	`max` real NOT NULL,
	`used` real NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`budget_key`, `window_start`)
);
--> statement-breakpoint
CREATE INDEX `writ_budget_counters_subject` ON `writ_budget_counters` (`subject`,`window_start`);--> statement-breakpoint
CREATE TABLE `writ_budget_reservations` (
	`id` text NOT NULL,
	`budget_key` text NOT NULL,
	`window_start` integer NOT NULL,
	`amount` real NOT NULL,
	`call_id` text NOT NULL,
	`reserved_at` integer NOT NULL,
	`released_at` integer,
	PRIMARY KEY(`id`, `budget_key`)
);
