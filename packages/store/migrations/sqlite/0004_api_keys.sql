CREATE TABLE `writ_api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text,
	`scopes_json` text NOT NULL,
	`hash` text NOT NULL,
	`label` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`last_used_at` integer
);
--> statement-breakpoint
CREATE INDEX `writ_api_keys_tenant` ON `writ_api_keys` (`tenant_id`,`id`);--> statement-breakpoint
CREATE INDEX `writ_agents_tenant` ON `writ_agents` (`tenant_id`,`id`);--> statement-breakpoint
CREATE INDEX `writ_approvals_tenant` ON `writ_approvals` (`tenant_id`,`status`,`requested_at`);--> statement-breakpoint
CREATE INDEX `writ_roles_tenant` ON `writ_roles` (`tenant_id`,`id`);