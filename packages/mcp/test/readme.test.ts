import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { createAgentIdentity, Session } from "@writ/core";
import { createTestWorld } from "@writ/core/testing";
import { connectWithWrit } from "@writ/mcp";
import { sqliteBackend } from "@writ/store";
import { expect, it, onTestFinished } from "vitest";
import { sqliteTestBackend } from "../../../test/support/sqlite-test-backend.js";
import { freePort } from "./gateway-fixture.js";
import { startReadmeGateway } from "./readme/gateway.js";
import { refundOverMcp } from "./readme/in-process.js";

it("runs the README's in-process example: the guarded server refunds for the agent's writ", async () => {
  const world = await createTestWorld({
    backend: await sqliteTestBackend(),
    audience: "urn:writ:refunds-mcp",
    user: { id: "alice", permissions: "refunds.approve(amount < 100)" },
    agents: { planner: "refunds.*" },
  });
  onTestFinished(() => world.guard.close());
  const result = await refundOverMcp(world.backend, world.issuer, world.session("planner"));
  expect(result).toMatchObject({ content: [{ type: "text", text: "refunded 20" }] });
  expect(
    (await world.rows(["decision", "outcome"])).map((row) => row.decision ?? row.outcome),
  ).toEqual(["allow", "ok"]);
});

it("runs the README's gateway: the agent reads what its writ allows through it, and only that", async () => {
  const docs = mkdtempSync(join(tmpdir(), "writ-readme-gateway-"));
  onTestFinished(() => rmSync(docs, { recursive: true, force: true }));
  mkdirSync(join(docs, "public"));
  writeFileSync(join(docs, "public", "handbook.md"), "Expenses under $200 need no receipt.\n");
  writeFileSync(join(docs, "salaries.csv"), "name,salary\n");
  const store = await sqliteBackend({ path: ":memory:" });
  onTestFinished(() => store.close());
  const agent = createAgentIdentity("docs-bot");
  await store.putUser({
    id: "alice",
    permissions: `fs.read_text_file(path startsWith ${JSON.stringify(`${docs}/public/`)})`,
  });
  await store.putAgent({ id: agent.id, policy: "fs.*", keys: [agent.key.publicJwk] });
  const session = new Session(
    agent,
    await store.issue({ user: "alice", agent: agent.id, key: agent.thumbprint }),
  );
  const url = `http://127.0.0.1:${await freePort()}/mcp`;
  const { guard, gateway } = await startReadmeGateway(store, url, docs);
  onTestFinished(async () => {
    await gateway.close();
    await guard.close();
  });

  const client = new Client({ name: "docs-bot", version: "1.0.0" });
  await connectWithWrit(client, url, { session });
  onTestFinished(() => client.close());
  const read = (path: string) => client.callTool({ name: "read_text_file", arguments: { path } });
  expect(await read(`${docs}/public/handbook.md`)).toMatchObject({
    content: [{ type: "text", text: "Expenses under $200 need no receipt.\n" }],
  });
  expect(await read(`${docs}/salaries.csv`)).toMatchObject({ isError: true });
});
