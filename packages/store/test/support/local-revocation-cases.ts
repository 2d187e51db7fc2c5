import { createAgentIdentity, createGuard, Session } from "@writ/core";
import { fixedClock, seededRandom } from "@writ/core/testing";
import { describe, expect, it } from "vitest";
import type { AuditAtomicityOptions } from "./audit-atomicity-cases.js";

/**
 * A revocation made through a store is enforced by the guards watching that
 * store in the same process from the moment revoke() is called, before its
 * transaction commits (DESIGN §5); one that definitely did not commit is
 * lifted again as revoke() rejects.
 */
export function localRevocationCases(name: string, options: AuditAtomicityOptions): void {
  describe(`a revocation takes effect in this process as revoke() is called: ${name}`, () => {
    const world = async () => {
      const clock = fixedClock(Date.UTC(2026, 0, 3));
      const target = await options.open({ clock, random: seededRandom("local-revocation") });
      const { store } = target;
      const planner = createAgentIdentity("planner");
      await store.putUser({ id: "alice", permissions: "docs.read" });
      await store.putAgent({ id: "planner", policy: "docs.read", keys: [planner] });
      const guard = await createGuard({
        backend: store,
        issuer: await store.issuerKeys(),
        audience: "urn:writ:local-revocation",
        clock,
      });
      const writ = await store.issue({ user: "alice", agent: "planner" });
      const session = new Session(planner, writ, { clock });
      const read = () =>
        guard.authorize(
          guard.callFrom(session, { action: "docs.read", tool: "read", args: { doc: 1 } }),
        );
      const close = async () => {
        await guard.close();
        await target.close();
      };
      return { target, store, guard, writ, read, close };
    };

    it("refuses the writ synchronously after revoke() is called, before it resolves", async () => {
      const { store, guard, writ, read, close } = await world();
      try {
        expect(await read()).toMatchObject({ effect: "allow" });
        const revoked = store.revoke({ kind: "hop", id: writ.root.claims.jti });
        // Nothing awaited yet: the commit has not happened, and the guard already refuses.
        expect(guard.canUse(writ.toString(), "docs.read")).toBe(false);
        const refused = read();
        await revoked;
        expect(await refused).toMatchObject({ effect: "deny", code: "revoked.hop" });
        expect(await read()).toMatchObject({ effect: "deny", code: "revoked.hop" });
        expect((await store.listRevocations()).items).toHaveLength(1);
      } finally {
        await close();
      }
    });

    it("lifts a revocation that definitely did not commit as revoke() rejects", async () => {
      const { target, store, guard, writ, read, close } = await world();
      try {
        await target.refuseAuditRows(true);
        const revoked = store.revoke({ kind: "hop", id: writ.root.claims.jti });
        expect(guard.canUse(writ.toString(), "docs.read")).toBe(false);
        // The revocation's ledger row is refused inside its transaction: it rolls back.
        await expect(revoked).rejects.toMatchObject({ code: "ledger.unavailable" });
        expect((await store.listRevocations()).items).toEqual([]);
        expect(guard.canUse(writ.toString(), "docs.read")).toBe(true);
        await target.refuseAuditRows(false);
        expect(await read()).toMatchObject({ effect: "allow" });

        // Another attempt, which commits, is enforced as before.
        const again = store.revoke({ kind: "hop", id: writ.root.claims.jti });
        expect(guard.canUse(writ.toString(), "docs.read")).toBe(false);
        await again;
        expect(await read()).toMatchObject({ effect: "deny", code: "revoked.hop" });
      } finally {
        await close();
      }
    });
  });
}
