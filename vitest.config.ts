import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources through the
// "@writ/source" export condition, so tests never need a build first.
const conditions = ["@writ/source", "module", "node", "import", "default"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@writ/source"] } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts", "examples/*/test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 20_000,
  },
});
