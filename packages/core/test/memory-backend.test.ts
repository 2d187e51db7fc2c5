import { createTestWorld, MemoryBackend, seededRandom } from "@writ/core/testing";
import { describe, expect, it } from "vitest";
import { backendContractSuite } from "../../../test/backend/backend-contract-suite.js";

backendContractSuite("MemoryBackend", {
  open: (clock) => new MemoryBackend({ clock, random: seededRandom("memory-suite") }),
});

describe("MemoryBackend revocation", () => {
  it("is enforced by a watching guard as revoke() is called, before it resolves", async () => {
    const world = await createTestWorld({
      backend: new MemoryBackend(),
      audience: "urn:writ:memory",
      user: { id: "alice", permissions: "docs.read" },
      agents: { planner: "docs.read" },
    });
    const writ = world.session("planner").writ;
    expect(world.guard.canUse(writ.toString(), "docs.read")).toBe(true);
    const revoked = world.backend.revoke("hop", writ.root.claims.jti);
    expect(world.guard.canUse(writ.toString(), "docs.read")).toBe(false);
    await revoked;
    await world.guard.close();
  });
});
