import type { RevocationKind } from "@writ/core";
import { describe, expect, it } from "vitest";
import type { AdminChange, RunAdminChange } from "../src/admin/admin-change.js";
import { RevocationStore } from "../src/revocations/revocation-store.js";
import type { SqlTransaction } from "../src/sql/sql-driver.js";
import { type StoreContext, tableNames } from "../src/store-context.js";

/** What the store told this process's guards, in order. */
function localGuards() {
  const told: string[] = [];
  return {
    told,
    revocationPending: (kind: RevocationKind, id: string) => told.push(`pending ${kind} ${id}`),
    revocationWithdrawn: (kind: RevocationKind, id: string) => told.push(`withdrawn ${kind} ${id}`),
  };
}

const ctx = { tables: tableNames(undefined), clock: () => 1_000 } as StoreContext;

/** A change transaction whose statements all succeed; `commit` decides how it ends. */
function changeThat(commit: () => void): RunAdminChange {
  const tx = { all: async () => [], run: async () => undefined } as unknown as SqlTransaction;
  return async <T>(work: (change: AdminChange) => Promise<T>) => {
    const result = await work({
      tx,
      emit: (build) => build(7),
      record: async () => undefined,
      audit: async () => undefined,
    });
    commit();
    return result;
  };
}

describe("a revocation begun in this process", () => {
  it("is announced to this process's guards before its transaction runs, and stays once committed", async () => {
    const guards = localGuards();
    const store = new RevocationStore(
      ctx,
      changeThat(() => undefined),
      guards,
    );
    const revoked = store.revoke({ kind: "hop", id: "h1" });
    expect(guards.told).toEqual(["pending hop h1"]);
    await expect(revoked).resolves.toMatchObject({ kind: "hop", id: "h1", seq: 7 });
    expect(guards.told).toEqual(["pending hop h1"]);
  });

  it("is withdrawn when its transaction failed before committing: nothing was revoked", async () => {
    const guards = localGuards();
    const locked: RunAdminChange = async () => {
      throw new Error("database is locked");
    };
    const store = new RevocationStore(ctx, locked, guards);
    await expect(store.revoke({ kind: "agent", id: "planner" })).rejects.toThrow("locked");
    expect(guards.told).toEqual(["pending agent planner", "withdrawn agent planner"]);
  });

  it("stays enforced when its commit failed: whether it committed is in doubt, so this process fails closed", async () => {
    const guards = localGuards();
    const store = new RevocationStore(
      ctx,
      changeThat(() => {
        throw new Error("the connection was lost during COMMIT");
      }),
      guards,
    );
    await expect(store.revoke({ kind: "key", id: "thumb" })).rejects.toThrow("COMMIT");
    expect(guards.told).toEqual(["pending key thumb"]);
  });

  it("announces nothing for input it refuses", async () => {
    const guards = localGuards();
    const store = new RevocationStore(
      ctx,
      changeThat(() => undefined),
      guards,
    );
    await expect(store.revoke({ kind: "nope" as RevocationKind, id: "x" })).rejects.toThrow(
      TypeError,
    );
    expect(guards.told).toEqual([]);
  });
});
