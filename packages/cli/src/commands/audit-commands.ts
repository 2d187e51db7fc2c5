import { createWriteStream } from "node:fs";
import { resolve } from "node:path";
import type { LedgerRecord } from "@writ/core";
import type { ExportFormat, LedgerQuery, LedgerVerification } from "@writ/store";
import type { Command, CommandContext, OptionSpec } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import type { Output } from "../output/output.js";
import { Progress } from "../output/progress.js";
import { UsageError } from "../usage-error.js";
import { outFile } from "./out-file.js";
import { readTreeHeads, treeHeadIn } from "./read-tree-heads.js";
import { waitForSignal } from "./wait-for-signal.js";

const DECISIONS = ["allow", "deny", "approval_required"];
const KINDS = ["decision", "outcome", "delegation", "issue", "revocation", "approval", "admin"];

const FILTERS: Readonly<Record<string, OptionSpec>> = {
  user: { type: "string", value: "id", description: "Rows of this user." },
  agent: { type: "string", value: "id", description: "Rows of this (leaf) agent." },
  action: { type: "string", value: "action", description: "Rows of this action." },
  decision: { type: "string", value: "effect", description: `${DECISIONS.join(", ")}.` },
  kind: {
    type: "string",
    value: "kind",
    description: `${KINDS.join(", ")}.`,
  },
  "call-id": { type: "string", value: "id", description: "Rows of one call." },
  tenant: { type: "string", value: "id", description: "Rows of this tenant." },
  since: {
    type: "string",
    value: "time",
    description: "From this time (ISO 8601, or e.g. 15m, 2h, 7d ago).",
  },
  until: { type: "string", value: "time", description: "Before this time." },
};

/** A flag's value, if it is one of `valid`; else a usage error listing them. */
function oneOf(
  context: CommandContext,
  flag: string,
  valid: readonly string[],
): string | undefined {
  const value = context.string(flag);
  if (value !== undefined && !valid.includes(value))
    throw new UsageError(
      `--${flag} must be one of ${valid.join(", ")} (got "${value}").`,
      context.name,
    );
  return value;
}

/** ISO 8601, epoch ms, or a span back from now (`90s`, `15m`, `2h`, `7d`). */
function timeOf(value: string, flag: string): number {
  const span = /^(\d+)(s|m|h|d)$/.exec(value);
  if (span) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
      span[2] as "s" | "m" | "h" | "d"
    ];
    return Date.now() - Number(span[1]) * unit;
  }
  const time = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(time))
    throw new UsageError(`--${flag} must be a time: ISO 8601, epoch ms, or a span like 15m.`);
  return time;
}

function filtersOf(context: CommandContext): Omit<LedgerQuery, "cursor" | "limit"> {
  const { string } = context;
  oneOf(context, "decision", DECISIONS);
  oneOf(context, "kind", KINDS);
  const since = string("since");
  const until = string("until");
  const pick = (name: string, key: keyof LedgerQuery) =>
    string(name) === undefined ? {} : { [key]: string(name) };
  return {
    ...pick("user", "user"),
    ...pick("agent", "agent"),
    ...pick("action", "action"),
    ...pick("decision", "decision"),
    ...pick("kind", "kind"),
    ...pick("call-id", "callId"),
    ...pick("tenant", "tenant"),
    ...(since === undefined ? {} : { from: timeOf(since, "since") }),
    ...(until === undefined ? {} : { to: timeOf(until, "until") }),
  } as Omit<LedgerQuery, "cursor" | "limit">;
}

function rowOf(out: Output, record: LedgerRecord): string[] {
  const { green, red, yellow, dim, bold } = out.colors;
  const effect =
    record.decision === "allow"
      ? green("allow")
      : record.decision === "deny"
        ? red("deny")
        : record.decision === "approval_required"
          ? yellow("approval")
          : record.outcome === "error"
            ? red("error")
            : (record.outcome ?? "");
  return [
    dim(out.time(record.time)),
    record.kind,
    record.user ?? "",
    record.chain ? record.chain.agents.join("→") : (record.agent ?? ""),
    bold(record.action ?? (typeof record.detail?.op === "string" ? record.detail.op : "")),
    effect,
    record.reason ?? "",
  ];
}

const plural = (count: number, noun: string) =>
  `${count.toLocaleString("en")} ${noun}${count === 1 ? "" : "s"}`;

/** What was verified, what broke, and what this verification cannot rule out. */
function printVerification(out: Output, verification: LedgerVerification): void {
  const { green, red, yellow, dim } = out.colors;
  const { tree } = verification;
  if (verification.ok) {
    out.line(
      `${green("✓ ledger verified:")} ${plural(verification.rows, "row")} in ${plural(verification.chains, "chain")}, ${plural(verification.checkpoints, "signed checkpoint")}; Merkle tree of ${plural(tree.size, "row")}, ${plural(tree.treeHeads, "signed tree head")} recomputed`,
    );
  } else {
    out.line(`${red("✗ ledger broken:")} ${verification.problem?.message ?? "unknown problem"}`);
    out.line(dim(`  (${plural(verification.rows, "row")} verified before it)`));
  }
  if (tree.newest) {
    out.line(
      `  newest tree head: ${plural(tree.newest.treeSize, "row")}, signed ${out.time(tree.newest.time)} (${ageOf(tree.newest.ageMs)} ago) by ${tree.newest.signer}`,
    );
  }
  for (const head of tree.against) {
    out.line(
      `  checked against a tree head kept outside the store: ${plural(head.treeSize, "row")}, signed ${out.time(head.time)}`,
    );
  }
  for (const gap of verification.unverified) out.line(`${yellow("! not ruled out:")} ${gap}`);
}

function ageOf(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 172_800_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} days`;
}

const HEADERS = ["TIME", "KIND", "USER", "AGENTS", "ACTION", "RESULT", "REASON"];

function limitOf(context: CommandContext, name: string, fallback: number): number {
  const value = Number(context.string(name) ?? fallback);
  if (!Number.isSafeInteger(value) || value < 1 || value > 1000)
    throw new UsageError(`--${name} must be 1–1000.`, context.name);
  return value;
}

export const auditCommands: Command[] = [
  {
    name: "audit tail",
    summary: "The newest ledger rows; --follow keeps printing new ones",
    options: {
      lines: { type: "string", short: "n", value: "n", description: "How many (default 20)." },
      follow: {
        type: "boolean",
        short: "f",
        description: "Keep printing rows as they are appended (Ctrl-C stops).",
      },
      ...FILTERS,
    },
    reads: true,
    async run(context) {
      const { out } = context;
      const { admin } = await context.target();
      const filters = filtersOf(context);
      const newest = (
        await admin.queryLedger({ ...filters, order: "desc", limit: limitOf(context, "lines", 20) })
      ).records;
      const rows = [...newest].reverse();
      const print = (records: readonly LedgerRecord[]) => {
        if (out.json) for (const record of records) out.line(JSON.stringify(record));
        else for (const record of records) out.line(rowOf(out, record).join("  "));
      };
      if (out.json) print(rows);
      else
        out.table(
          HEADERS,
          rows.map((record) => rowOf(out, record)),
          "(no rows)",
        );
      if (!context.flag("follow")) return EXIT_CODES.ok;
      const seen = new Set(rows.map((record) => record.id));
      let from = rows.at(-1)?.time ?? Date.now();
      const stop = waitForSignal();
      let stopped = false;
      void stop.then(() => {
        stopped = true;
      });
      while (!stopped) {
        const fresh = (
          await admin.queryLedger({ ...filters, from, order: "asc", limit: 1000 })
        ).records.filter((record) => !seen.has(record.id));
        for (const record of fresh) seen.add(record.id);
        print(fresh);
        from = fresh.at(-1)?.time ?? from;
        await Promise.race([stop, new Promise((wake) => setTimeout(wake, 1000))]);
      }
      return EXIT_CODES.ok;
    },
  },
  {
    name: "audit query",
    summary: "Ledger rows matching filters, oldest first (--cursor continues)",
    options: {
      ...FILTERS,
      limit: {
        type: "string",
        value: "n",
        description: "Rows per page (default 100, at most 1000).",
      },
      cursor: { type: "string", value: "cursor", description: "Continue after the previous page." },
      newest: { type: "boolean", description: "Newest first." },
      "without-outcome": {
        type: "boolean",
        description:
          "Only allowed calls with no outcome row: still running, paused, or whose outcome a crash lost.",
      },
    },
    reads: true,
    async run(context) {
      const { out } = context;
      const page = await (await context.target()).admin.queryLedger({
        ...filtersOf(context),
        ...(context.flag("without-outcome") ? { withoutOutcome: true } : {}),
        limit: limitOf(context, "limit", 100),
        ...(context.string("cursor") ? { cursor: context.string("cursor") as string } : {}),
        ...(context.flag("newest") ? { order: "desc" as const } : {}),
      });
      if (out.json) {
        out.data(page);
        return EXIT_CODES.ok;
      }
      out.table(
        HEADERS,
        page.records.map((record) => rowOf(out, record)),
        "(no rows)",
      );
      if (page.nextCursor)
        out.note(`more: writ audit query --cursor ${page.nextCursor} (same filters)`);
      return EXIT_CODES.ok;
    },
  },
  {
    name: "audit verify",
    summary:
      "Recompute every hash chain, signed checkpoint and the Merkle tree; names the first broken row (exit 4)",
    usage: "[--against <file>]",
    options: {
      against: {
        type: "string",
        value: "file",
        description:
          "Tree heads kept outside the store (a witness file, an export, one head): proves no covered row was removed.",
      },
    },
    reads: true,
    async run(context) {
      const { out, io } = context;
      const file = context.string("against");
      const against = file === undefined ? [] : readTreeHeads(resolve(io.cwd, file), context.name);
      const target = await context.target();
      const progress = new Progress(
        io.stderr,
        out.colors,
        `verifying the ledger of ${target.where}`,
      );
      const verification = await target.admin
        .verifyLedger(against.length > 0 ? { against } : {})
        .finally(() => progress.stop());
      if (out.json) out.data(verification);
      else printVerification(out, verification);
      return verification.ok ? EXIT_CODES.ok : EXIT_CODES.ledgerBroken;
    },
  },
  {
    name: "audit export",
    summary: "Stream the ledger as NDJSON: OCSF 1.8 API Activity, ECS, or the sealed rows (jsonl)",
    usage: "--format <ocsf|ecs|jsonl> [--out <file>] [filters]",
    options: {
      format: { type: "string", value: "ocsf|ecs|jsonl", description: "The format." },
      out: { type: "string", value: "file", description: "Write to a file (default stdout)." },
      ...FILTERS,
    },
    reads: true,
    async run(context) {
      const { out, io, string } = context;
      const format = string("format");
      const { EXPORT_FORMATS } = await import("@writ/store");
      if (!EXPORT_FORMATS.includes(format as ExportFormat)) {
        throw new UsageError(
          `--format must be one of ${EXPORT_FORMATS.join(", ")}.`,
          "audit export",
        );
      }
      const path = outFile(context, "out");
      const filters = filtersOf(context);
      const target = await context.target();
      const sink: NodeJS.WritableStream =
        path === undefined ? io.stdout : createWriteStream(path, { mode: 0o600 });
      let last = "";
      const progress = new Progress(io.stderr, out.colors, `exporting ${format}`);
      try {
        for await (const line of target.admin.exportLedger(format as ExportFormat, filters, {
          // A tree head covers every tenant's rows: one tenant's export does not end with one.
          treeHead: filters.tenant === undefined,
        })) {
          last = line;
          if (!sink.write(line))
            await new Promise<void>((drained) => sink.once("drain", () => drained()));
          progress.tick();
        }
      } finally {
        progress.stop();
        if (sink !== io.stdout) await new Promise<void>((closed) => sink.end(() => closed()));
      }
      const endsWithHead = last !== "" && treeHeadIn(JSON.parse(last)) !== undefined;
      const rows = progress.count - (endsWithHead ? 1 : 0);
      out.done(
        `exported ${plural(rows, "row")} as ${format}${path ? ` to ${string("out")}` : ""}${endsWithHead ? ", ending with the signed tree head that covers them: keep it to verify against later (writ audit verify --against)" : ""}`,
      );
      return EXIT_CODES.ok;
    },
  },
];
