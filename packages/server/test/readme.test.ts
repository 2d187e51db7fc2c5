import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { startExchangeServer, startWritServer } from "./readme/quick-start.js";

/** The README's code opens ./.writ/writ.db: each test runs in a folder of its own. */
function inNewFolder(): void {
  const cwd = process.cwd();
  const folder = mkdtempSync(join(tmpdir(), "writ-server-readme-"));
  process.chdir(folder);
  onTestFinished(() => {
    process.chdir(cwd);
    rmSync(folder, { recursive: true, force: true });
  });
}

describe("the README", () => {
  it("starts a server on the project's store that answers its operator key", async () => {
    inNewFolder();
    const { url, close, store, operator } = await startWritServer(0);
    onTestFinished(async () => {
      await close();
      await store.close();
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const users = await fetch(`${url}/v1/users`, {
      headers: { authorization: `Bearer ${operator.key}` },
    });
    expect(users.status).toBe(200);
  });

  it("takes the token exchange settings it shows, and refuses a token from nowhere it trusts", async () => {
    inNewFolder();
    const { url, close, store } = await startExchangeServer(0);
    onTestFinished(async () => {
      await close();
      await store.close();
    });
    const exchanged = await fetch(`${url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: "not-a-token",
        subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      }),
    });
    expect(exchanged.status).toBe(400);
  });
});
