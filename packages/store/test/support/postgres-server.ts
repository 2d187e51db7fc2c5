import pg from "pg";

/** The real server CI starts (.ci/start-postgres); unset locally unless you export it. */
export const POSTGRES_URL = process.env.WRIT_TEST_POSTGRES_URL;

/**
 * Says loudly when the real-server tests cannot run. In CI the URL is always
 * set, so a missing one there is a failure, never a silent skip.
 */
export function requirePostgresUrl(): string | undefined {
  if (POSTGRES_URL) return POSTGRES_URL;
  if (process.env.CI)
    throw new Error(
      "CI must export WRIT_TEST_POSTGRES_URL: the real-PostgreSQL tests cannot be skipped there.",
    );
  console.warn(
    "\n  ⚠ WRIT_TEST_POSTGRES_URL is not set: the real PostgreSQL server tests did NOT run (PGlite still covers the dialect).\n",
  );
  return undefined;
}

/** A fresh database for this test file, dropped afterwards, so runs never collide. */
export async function createTestDatabase(
  url: string,
  label: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `writ_${label}_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        for (let attempt = 1; ; attempt++) {
          try {
            await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            return;
          } catch (error) {
            // FORCE cannot end an autovacuum worker (a superuser's process)
            // busy in the database after heavy writes: it finishes soon.
            const autovacuumBusy = (error as { code?: string }).code === "42501";
            if (!autovacuumBusy || attempt === 50) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      } finally {
        await client.end();
      }
    },
  };
}

/** Runs SQL as the URL's role on its own connection (tests tamper with what the store refuses to). */
export async function withClient<T>(
  url: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
