import { defineConfig } from "drizzle-kit";

// `pnpm --filter @writ/store migrations:generate` after changing src/schema/table-specs.ts.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/schema/sqlite-schema.ts",
  out: "./migrations/sqlite",
});
