CREATE TABLE `writ_budget_releases` (
	`id` text PRIMARY KEY NOT NULL,
	`released_at` integer NOT NULL
);
