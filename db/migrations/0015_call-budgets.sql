CREATE TABLE "call_budgets" (
	"key" text PRIMARY KEY NOT NULL,
	"state" jsonb,
	"version" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
