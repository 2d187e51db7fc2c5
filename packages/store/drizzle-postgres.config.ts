import { defineConfig } from "drizzle-kit";

// `pnpm --filter @writ/store migrations:generate` after changing src/schema/table-specs.ts.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema/postgres-schema.ts",
  out: "./migrations/postgres",
});
