CREATE TABLE "writ_console_sessions" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"tenant_id" text,
	"role" text NOT NULL,
	"api_key_id" text,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "writ_console_sessions_expiry" ON "writ_console_sessions" USING btree ("expires_at");