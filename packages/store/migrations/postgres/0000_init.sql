CREATE TABLE "writ_agent_keys" (
	"thumbprint" text PRIMARY KEY NOT NULL,
	"agent_id" text NOT NULL,
	"public_jwk" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "writ_agent_policies" (
	"agent_id" text NOT NULL,
	"position" bigint NOT NULL,
	"grant_json" text NOT NULL,
	CONSTRAINT "writ_agent_policies_agent_id_position_pk" PRIMARY KEY("agent_id","position")
);
--> statement-breakpoint
CREATE TABLE "writ_agents" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "writ_approvals" (
	"id" text PRIMARY KEY NOT NULL,
	"call_id" text NOT NULL,
	"action" text NOT NULL,
	"args_hash" text NOT NULL,
	"leaf_hash" text NOT NULL,
	"tool" text NOT NULL,
	"user_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"tenant_id" text,
	"chain_json" text NOT NULL,
	"requested_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"status" text NOT NULL,
	"decided_by" text,
	"decided_at" bigint,
	"reason" text
);
--> statement-breakpoint
CREATE TABLE "writ_hops" (
	"jti" text PRIMARY KEY NOT NULL,
	"parent_jti" text,
	"user_id" text NOT NULL,
	"tenant_id" text,
	"from_agent" text,
	"to_agent" text NOT NULL,
	"issuer" text NOT NULL,
	"grants_json" text NOT NULL,
	"issued_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"recorded_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "writ_issuer_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"issuer" text NOT NULL,
	"status" text NOT NULL,
	"private_jwk" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "writ_ledger" (
	"chain_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"id" text NOT NULL,
	"time" bigint NOT NULL,
	"tenant_id" text,
	"kind" text NOT NULL,
	"call_id" text,
	"user_id" text,
	"agent_id" text,
	"chain_json" text,
	"action" text,
	"tool" text,
	"adapter" text,
	"decision" text,
	"reason" text,
	"outcome" text,
	"error" text,
	"duration_ms" double precision,
	"input_hash" text,
	"output_hash" text,
	"detail_json" text,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "writ_ledger_chain_id_seq_pk" PRIMARY KEY("chain_id","seq")
);
--> statement-breakpoint
CREATE TABLE "writ_ledger_chains" (
	"chain_id" text PRIMARY KEY NOT NULL,
	"started_at" bigint NOT NULL,
	"key_thumbprint" text NOT NULL,
	"public_jwk" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "writ_ledger_checkpoints" (
	"chain_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	"time" bigint NOT NULL,
	"key_thumbprint" text NOT NULL,
	"signature" text NOT NULL,
	CONSTRAINT "writ_ledger_checkpoints_chain_id_seq_pk" PRIMARY KEY("chain_id","seq")
);
--> statement-breakpoint
CREATE TABLE "writ_ledger_payloads" (
	"hash" text PRIMARY KEY NOT NULL,
	"body_json" text,
	"stored_at" bigint NOT NULL,
	"erased_at" bigint
);
--> statement-breakpoint
CREATE TABLE "writ_live_changes" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL,
	"change_json" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "writ_live_counter" (
	"id" bigint PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "writ_permissions" (
	"subject_kind" text NOT NULL,
	"subject_id" text NOT NULL,
	"position" bigint NOT NULL,
	"grant_json" text NOT NULL,
	CONSTRAINT "writ_permissions_subject_kind_subject_id_position_pk" PRIMARY KEY("subject_kind","subject_id","position")
);
--> statement-breakpoint
CREATE TABLE "writ_revocations" (
	"kind" text NOT NULL,
	"target_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"at" bigint NOT NULL,
	"reason" text,
	CONSTRAINT "writ_revocations_kind_target_id_pk" PRIMARY KEY("kind","target_id")
);
--> statement-breakpoint
CREATE TABLE "writ_role_members" (
	"role_id" text NOT NULL,
	"user_id" text NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "writ_role_members_role_id_user_id_pk" PRIMARY KEY("role_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "writ_roles" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "writ_tenants" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "writ_users" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "writ_agent_keys_agent" ON "writ_agent_keys" USING btree ("agent_id");--> statement-breakpoint
CREATE INDEX "writ_approvals_call" ON "writ_approvals" USING btree ("call_id");--> statement-breakpoint
CREATE INDEX "writ_approvals_status" ON "writ_approvals" USING btree ("status","requested_at");--> statement-breakpoint
CREATE INDEX "writ_hops_parent" ON "writ_hops" USING btree ("parent_jti");--> statement-breakpoint
CREATE UNIQUE INDEX "writ_ledger_id" ON "writ_ledger" USING btree ("id");--> statement-breakpoint
CREATE INDEX "writ_ledger_time" ON "writ_ledger" USING btree ("time","chain_id","seq");--> statement-breakpoint
CREATE INDEX "writ_ledger_call" ON "writ_ledger" USING btree ("call_id");--> statement-breakpoint
CREATE INDEX "writ_ledger_user" ON "writ_ledger" USING btree ("user_id","time");--> statement-breakpoint
CREATE INDEX "writ_ledger_agent" ON "writ_ledger" USING btree ("agent_id","time");--> statement-breakpoint
CREATE INDEX "writ_role_members_user" ON "writ_role_members" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "writ_users_tenant" ON "writ_users" USING btree ("tenant_id");