import {
  createAgentIdentity,
  createGuard,
  IssuerKeySet,
  issueWrit,
  parseGrants,
  Session,
} from "@writ/core";
import { fixedClock, MemoryBackend } from "@writ/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { action, args, membership, parentAndChild } from "./arbitraries.js";

describe("delegation through the guard", () => {
  it("whatever a delegated session may do, its parent may do", async () => {
    const clock = fixedClock();
    const issuer = IssuerKeySet.generate("writ:property");
    const planner = createAgentIdentity("planner");
    const worker = createAgentIdentity("worker");
    const backend = new MemoryBackend({ clock });
    const everything = parseGrants([{ action: "*" }]);
    backend.putUser({ id: "alice", permissions: everything });
    backend.putAgent({ id: "planner", policy: everything, keys: [planner] });
    backend.putAgent({ id: "worker", policy: everything, keys: [worker] });
    const guard = await createGuard({
      backend,
      issuer,
      audience: "urn:writ:property",
      clock,
      sets: { "crm.contacts": (value) => membership("crm.contacts", value) },
    });

    let delegated = 0;
    await fc.assert(
      fc.asyncProperty(
        parentAndChild,
        action,
        args,
        async ([parentGrants, childGrants], act, input) => {
          fc.pre(parentGrants.length > 0 && childGrants.length > 0);
          const parent = new Session(
            planner,
            issueWrit({
              issuer,
              user: { id: "alice", permissions: everything },
              agent: { ...planner, policy: everything },
              grants: parentGrants,
              clock,
            }),
            { clock },
          );
          let child: Session;
          try {
            child = parent.delegate(worker, { grants: childGrants });
          } catch (error) {
            expect(error).toMatchObject({ code: "delegation.broadens" });
            return;
          }
          delegated++;
          const call = { action: act, tool: "tool", args: input };
          const childDecision = await guard.authorize(guard.callFrom(child, call));
          if (childDecision.effect === "deny") return;
          const parentDecision = await guard.authorize(guard.callFrom(parent, call));
          expect(parentDecision.effect).not.toBe("deny");
          if (childDecision.effect === "allow") expect(parentDecision.effect).toBe("allow");
        },
      ),
      { numRuns: 300 },
    );
    expect(delegated).toBeGreaterThan(30);
  });
});
