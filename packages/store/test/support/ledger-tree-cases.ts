import { readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { LedgerRecord } from "@writ/core";
import { parseSignedTreeHead, type SignedTreeHead, verifyLedgerEvidence } from "@writ/core/backend";
import { fileWitness, type StoreBackend, type StoreOptions, webhookWitness } from "@writ/store";
import { describe, expect, it } from "vitest";
import { eventually } from "../../../../test/support/eventually.js";

export interface TreeTarget {
  /** Opens a writer on one database shared by every writer of the case. */
  open(options?: StoreOptions): Promise<StoreBackend>;
  /**
   * Whether writers in this process may write at the same time. Two SQLite
   * connections in one thread cannot (a transaction waiting on a lock blocks
   * the thread that holds it); other processes can.
   */
  readonly parallelWriters: boolean;
  /** A folder for witness files. */
  folder(): string;
}

const decision = (callId: string) => ({
  entry: { kind: "decision" as const, time: Date.now(), decision: "allow" as const, callId },
});

/** The ledger's Merkle tree on one dialect: several writers, intervals, witnesses, proofs. */
export function ledgerTreeCases(name: string, target: () => Promise<TreeTarget>): void {
  describe(`the ledger's tree: ${name}`, { timeout: 60_000 }, () => {
    it("tells a progress listener how far verification is, through the tree's rows and those newer than it", async () => {
      const store = await (await target()).open();
      const rows = (count: number, from: number) =>
        Array.from({ length: count }, (_, index) => decision(`p${from + index}`));
      await store.append(rows(2_500, 0));
      await store.signTreeHead();
      await store.append(rows(1_200, 2_500));
      const heard: { rows: number; total: number }[] = [];
      const verification = await store.verifyLedger({ onProgress: (step) => heard.push(step) });
      expect(verification).toMatchObject({ ok: true, rows: 3_700, tree: { uncovered: 1_200 } });
      expect(heard.length).toBeGreaterThanOrEqual(4);
      expect(heard.every((step) => step.total === 3_700)).toBe(true);
      expect(heard.map((step) => step.rows)).toEqual(
        [...heard.map((step) => step.rows)].sort((a, b) => a - b),
      );
      expect(heard.at(-1)).toEqual({ rows: 3_700, total: 3_700 });
      await store.close();
    });

    it("places every writer's rows exactly once in one global order, while writers and sequencers interleave", async () => {
      const shared = await target();
      const writers: StoreBackend[] = [];
      for (let count = 0; count < 3; count++) writers.push(await shared.open());
      // Each writer appends in bursts and its sequencer signs after each, racing the others.
      const bursts = async (writer: StoreBackend, w: number, burst: number) => {
        await Promise.all(
          Array.from({ length: 40 }, (_, index) =>
            writer.append([decision(`w${w}-${burst}-${index}`)]),
          ),
        );
        await writer.signTreeHead();
      };
      for (let burst = 0; burst < 6; burst++) {
        if (shared.parallelWriters)
          await Promise.all(writers.map((writer, w) => bursts(writer, w, burst)));
        else for (const [w, writer] of writers.entries()) await bursts(writer, w, burst);
      }
      const [first, ...others] = writers as [StoreBackend, ...StoreBackend[]];
      for (const writer of others) await writer.close();
      const head = await first.signTreeHead();
      expect(head?.treeSize).toBe(3 * 6 * 40);
      const verification = await first.verifyLedger({ against: [head as SignedTreeHead] });
      expect(verification).toMatchObject({
        ok: true,
        rows: 720,
        chains: 3,
        tree: { size: 720, uncovered: 0 },
      });
      await first.close();
    });

    it("signs at its interval without being asked, and hands every head to its witnesses", async () => {
      const shared = await target();
      const seen: SignedTreeHead[] = [];
      const store = await shared.open({
        treeHeadIntervalMs: 20,
        treeHeadWitnesses: [(head) => void seen.push(head)],
      });
      await store.append([decision("a"), decision("b")]);
      await eventually(() => seen.at(-1)?.treeSize === 2, "a tree head of 2 rows was signed");
      await store.append([decision("c")]);
      await eventually(() => seen.at(-1)?.treeSize === 3, "a tree head of 3 rows was signed");
      expect(await store.treeHead()).toEqual(seen.at(-1));
      await store.close();
    });

    it("keeps a witness file owner-only, one line per head, the last written before close resolves", async () => {
      const shared = await target();
      const file = join(shared.folder(), "witness.ndjson");
      const store = await shared.open({ treeHeadWitnesses: [fileWitness(file)] });
      await store.append([decision("a")]);
      await store.signTreeHead();
      await store.append([decision("b"), decision("c")]);
      await store.close();
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const heads = readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((line) => parseSignedTreeHead(JSON.parse(line)));
      expect(heads.map((head) => head.treeSize)).toEqual([1, 3]);
      const reader = await shared.open();
      expect(await reader.verifyLedger({ against: heads })).toMatchObject({ ok: true });
      await reader.close();
    });

    it("posts heads to a webhook, and reports a witness that refuses one without stopping", async () => {
      const shared = await target();
      const received: unknown[] = [];
      let answer = 200;
      const server = createServer((request, response) => {
        let body = "";
        request.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        request.on("end", () => {
          received.push({ type: request.headers["content-type"], head: JSON.parse(body) });
          response.writeHead(answer).end();
        });
      });
      await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/heads`;
      const failures: string[] = [];
      const store = await shared.open({
        treeHeadWitnesses: [webhookWitness(url)],
        onWitnessError: (error) => failures.push((error as Error).message),
      });
      try {
        await store.append([decision("a")]);
        const head = await store.signTreeHead();
        await eventually(() => received.length === 1, "the webhook received the head");
        expect(received[0]).toEqual({ type: "application/json", head });
        answer = 503;
        await store.append([decision("b")]);
        await store.signTreeHead();
        await eventually(() => failures.length === 1, "the failed delivery was reported");
        expect(failures[0]).toContain("answered 503");
        expect(() => webhookWitness("file:///etc/passwd")).toThrow(TypeError);
      } finally {
        await store.close();
        server.close();
      }
    });

    it("proves any row of a tree of thousands from its stored subtrees, and the tree's growth", async () => {
      const shared = await target();
      const store = await shared.open();
      const rows: LedgerRecord[] = [];
      for (let batch = 0; batch < 6; batch++) {
        rows.push(
          ...(await store.append(
            Array.from({ length: 500 }, (_, index) => decision(`p${batch}-${index}`)),
          )),
        );
        if (batch === 2) await store.signTreeHead();
      }
      const early = (await store.treeHead()) as SignedTreeHead;
      const head = (await store.signTreeHead()) as SignedTreeHead;
      expect([early.treeSize, head.treeSize]).toEqual([1500, 3000]);
      for (const index of [0, 255, 256, 1499, 2047, 2999]) {
        const evidence = await store.ledgerEvidence((rows[index] as LedgerRecord).id);
        expect(evidence.leafIndex).toBe(index);
        expect(verifyLedgerEvidence(evidence), `row ${index}`).toMatchObject({ ok: true });
      }
      const growth = await store.consistencyProof(early.treeSize);
      expect(growth).toMatchObject({ size1: 1500, size2: 3000 });
      expect(growth.proof.length).toBeGreaterThan(0);
      await expect(store.consistencyProof(10, 5000)).rejects.toMatchObject({
        code: "store.not_found",
      });
      await store.close();
    });
  });
}
