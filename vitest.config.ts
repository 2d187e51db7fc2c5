import { configDefaults, defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources through the
// "@writ/source" export condition, so most tests never need a build first.
const conditions = ["@writ/source", "module", "node", "import", "default"];
// Vitest passes ssr.resolve.conditions to Node as --conditions, which steer
// require() too: "import" or "module" there makes CommonJS packages (pg)
// require the ESM builds of their dependencies. Vite adds import/require/default itself.
const serverConditions = ["@writ/source", "node"];

// Tests that run what users install: the `writ` binary, the packed packages, the docs' code.
// They run the build (dist/), which their project's global setup brings up to date.
const builtOutput = [
  "packages/cli/test/**/*.test.ts",
  "test/packaging/**/*.test.ts",
  "test/docs/**/*.test.ts",
];

// The AI SDK suites run against the workspace's ai@7, and with WRIT_AI_SDK=6
// against AI SDK 6: "ai" (and "ai/test") then resolve to the ai6 package, an
// npm alias of ai@6 beside it.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: vitest reads it; turbo runs no tests
const aiSdk = process.env.WRIT_AI_SDK ?? "7";
if (aiSdk !== "6" && aiSdk !== "7") {
  throw new Error(`WRIT_AI_SDK must be 6 or 7 (the AI SDK major version to test), not "${aiSdk}".`);
}
const alias = aiSdk === "6" ? [{ find: /^ai(\/test)?$/, replacement: "ai6$1" }] : [];

export default defineConfig({
  resolve: { conditions, alias },
  ssr: { resolve: { conditions: serverConditions, externalConditions: ["@writ/source"] } },
  test: {
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 20_000,
    // Hooks start and drop servers and databases: on a loaded machine that takes
    // longer than vitest's 10 s default. This only stops a hook that hangs.
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "sources",
          include: [
            "packages/*/test/**/*.test.ts",
            "test/**/*.test.ts",
            "examples/*/test/**/*.test.ts",
          ],
          exclude: [...configDefaults.exclude, ...builtOutput],
        },
      },
      {
        extends: true,
        test: {
          name: "built",
          include: builtOutput,
          globalSetup: ["test/support/build-packages.ts"],
          // Each test runs whole commands and installs: this only stops one that hangs.
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
