import { createTestDatabase } from "../../../store/test/support/postgres-server.js";

/**
 * A fresh database on the PostgreSQL server CI starts (WRIT_TEST_POSTGRES_URL),
 * dropped afterwards. Without the variable the test says loudly that it did
 * not run; in CI (CI set) that is a failure, never a silent skip.
 */
export function postgresUrl(): string | undefined {
  const url = process.env.WRIT_TEST_POSTGRES_URL;
  if (url) return url;
  if (process.env.CI)
    throw new Error(
      "CI must export WRIT_TEST_POSTGRES_URL: the two-server PostgreSQL test cannot be skipped there.",
    );
  console.warn(
    "\n  ⚠ WRIT_TEST_POSTGRES_URL is not set: the two `writ serve` processes on PostgreSQL did NOT run.\n",
  );
  return undefined;
}

export { createTestDatabase };
