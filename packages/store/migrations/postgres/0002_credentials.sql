CREATE TABLE "writ_credential_connections" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"tenant_id" text,
	"provider" text NOT NULL,
	"status" text NOT NULL,
	"scopes_json" text NOT NULL,
	"refresh_token" text,
	"refresh_key_id" text,
	"version" bigint NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"refreshed_at" bigint,
	"broken_at" bigint,
	"broken_reason" text,
	"lease_owner" text,
	"lease_until" bigint
);
--> statement-breakpoint
CREATE TABLE "writ_credential_pending" (
	"state_hash" text PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"user_id" text NOT NULL,
	"tenant_id" text,
	"scopes_json" text NOT NULL,
	"verifier" text NOT NULL,
	"key_id" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "writ_credential_tokens" (
	"connection_id" text NOT NULL,
	"scope_key" text NOT NULL,
	"token" text NOT NULL,
	"key_id" text NOT NULL,
	"token_type" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	CONSTRAINT "writ_credential_tokens_connection_id_scope_key_pk" PRIMARY KEY("connection_id","scope_key")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "writ_credential_connections_user_provider" ON "writ_credential_connections" USING btree ("user_id","provider");--> statement-breakpoint
CREATE INDEX "writ_credential_connections_key" ON "writ_credential_connections" USING btree ("refresh_key_id");--> statement-breakpoint
CREATE INDEX "writ_credential_pending_expiry" ON "writ_credential_pending" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "writ_credential_pending_key" ON "writ_credential_pending" USING btree ("key_id");--> statement-breakpoint
CREATE INDEX "writ_credential_tokens_key" ON "writ_credential_tokens" USING btree ("key_id");