import { createTestWorld } from "@writ/core/testing";
import { expect, it, onTestFinished } from "vitest";
import { sqliteTestBackend } from "../../../test/support/sqlite-test-backend.js";
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
