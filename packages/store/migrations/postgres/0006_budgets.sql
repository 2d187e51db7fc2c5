CREATE TABLE "writ_budget_counters" (
	"budget_key" text NOT NULL,
	"window_start" bigint NOT NULL,
	"window_ms" bigint NOT NULL,
	"scope" text NOT NULL,
	"subject" text NOT NULL,
	"budget" text NOT NULL,
	"max" double precision NOT NULL,
	"used" double precision NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "writ_budget_counters_budget_key_window_start_pk" PRIMARY KEY("budget_key","window_start")
);
--> statement-breakpoint
CREATE TABLE "writ_budget_reservations" (
	"id" text NOT NULL,
	"budget_key" text NOT NULL,
	"window_start" bigint NOT NULL,
	"amount" double precision NOT NULL,
	"call_id" text NOT NULL,
	"reserved_at" bigint NOT NULL,
	"released_at" bigint,
	CONSTRAINT "writ_budget_reservations_id_budget_key_pk" PRIMARY KEY("id","budget_key")
);
--> statement-breakpoint
CREATE INDEX "writ_budget_counters_subject" ON "writ_budget_counters" USING btree ("subject","window_start");