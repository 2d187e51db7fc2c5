import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources through the
// "@writ/source" export condition, so tests never need a build first.
const conditions = ["@writ/source", "module", "node", "import", "default"];
// Vitest passes ssr.resolve.conditions to Node as --conditions, which steer
// require() too: "import" or "module" there makes CommonJS packages (pg)
// require the ESM builds of their dependencies. Vite adds import/require/default itself.
const serverConditions = ["@writ/source", "node"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions: serverConditions, externalConditions: ["@writ/source"] } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts", "examples/*/test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 20_000,
  },
});
