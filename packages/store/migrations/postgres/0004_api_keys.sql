CREATE TABLE "writ_api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text,
	"scopes_json" text NOT NULL,
	"hash" text NOT NULL,
	"label" text,
	"created_by" text,
	"created_at" bigint NOT NULL,
	"expires_at" bigint,
	"last_used_at" bigint
);
--> statement-breakpoint
CREATE INDEX "writ_api_keys_tenant" ON "writ_api_keys" USING btree ("tenant_id","id");--> statement-breakpoint
CREATE INDEX "writ_agents_tenant" ON "writ_agents" USING btree ("tenant_id","id");--> statement-breakpoint
CREATE INDEX "writ_approvals_tenant" ON "writ_approvals" USING btree ("tenant_id","status","requested_at");--> statement-breakpoint
CREATE INDEX "writ_roles_tenant" ON "writ_roles" USING btree ("tenant_id","id");