/**
 * Tells the support-refunds story on a terminal: the delegation tree, each
 * call with its decision and reason, the approval, the revocation and the
 * ledger verification. Colour only on a terminal, never with NO_COLOR.
 */
import { formatGrant, inspectWrit, type LedgerRecord, type Writ } from "@writ/core";
import type { WritApprovalDecision, WritApprovalRequest } from "@writ/langchain";
import type { DelegationNode, LedgerVerification } from "@writ/store";
import pc from "picocolors";
import type { VelocityAlert } from "./support-desk.js";
import type { Narrator } from "./support-refunds.js";

export type Write = (line: string) => void;

/** Colour when writing to a terminal, unless NO_COLOR (or TERM=dumb) says otherwise; FORCE_COLOR forces it. */
export function colorsFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env) {
  const enabled = env.FORCE_COLOR
    ? env.FORCE_COLOR !== "0"
    : stream.isTTY === true && !env.NO_COLOR && env.TERM !== "dumb";
  return pc.createColors(enabled);
}

type Colors = ReturnType<typeof pc.createColors>;

const LABEL_WIDTH = 12;
const TOOL_WIDTH = 22;
const ARGS_WIDTH = 18;

export class ConsoleNarrator implements Narrator {
  readonly #write: Write;
  readonly #c: Colors;
  /** Hop jti → "hop N (agent)", to name revoked hops. */
  readonly #hops = new Map<string, string>();
  #section = 0;

  constructor(write: Write, colors: Colors) {
    this.#write = write;
    this.#c = colors;
  }

  title(text: string, facts: string): void {
    this.#write(`${this.#c.bold(text)}  ${this.#c.dim(facts)}`);
  }

  directory(entries: readonly { readonly who: string; readonly grants: string }[]): void {
    this.#heading("Who may do what");
    const width = Math.max(...entries.map((entry) => entry.who.length)) + 2;
    for (const { who, grants } of entries) {
      const lines = grants.split(/\n|;\s*/);
      lines.forEach((grant, i) => {
        this.#write(`  ${(i === 0 ? who : "").padEnd(width)}${this.#c.cyan(grant)}`);
      });
    }
  }

  section(title: string): void {
    this.#section += 1;
    this.#heading(`${this.#section}. ${title}`);
  }

  rows(rows: readonly LedgerRecord[], inputs: ReadonlyMap<string, unknown>): void {
    for (const row of rows) this.#row(row, inputs);
  }

  delegated(writ: Writ): void {
    const inspected = inspectWrit(writ);
    this.#write("");
    this.#write(`  ${this.#c.dim("The writ refund-worker now holds, as delegated:")}`);
    this.#write(`  ${this.#c.bold(inspected.user)} ${this.#c.dim("(user)")}`);
    for (const hop of inspected.hops) {
      this.#hops.set(hop.jti, `hop ${hop.index}: ${hop.to}'s writ`);
      const indent = "   ".repeat(hop.index);
      const minutes = Math.round((hop.expiresAt.getTime() - Date.now()) / 60_000);
      const depth = hop.depthLeft === 0 ? "may not delegate" : `may delegate ${hop.depthLeft} more`;
      this.#write(
        `  ${indent}└─ ${this.#c.bold(hop.to)}  ${this.#c.dim(`hop ${hop.index}, expires in ${minutes} min, ${depth}`)}`,
      );
      for (const grant of hop.grants) {
        this.#write(`  ${indent}      ${this.#c.cyan(formatGrant(grant))}`);
      }
    }
  }

  reviewing(request: WritApprovalRequest): void {
    this.#line(
      this.#c.yellow("? review"),
      subjectOf(request),
      `the run pauses; a human is asked (approval ${request.writ.approvalId.slice(0, 8)}…)`,
    );
  }

  reviewed(request: WritApprovalRequest, decision: WritApprovalDecision): void {
    const by = decision.by ?? "a reviewer";
    this.#line(
      decision.type === "approve" ? this.#c.green("✓ approved") : this.#c.red("✗ rejected"),
      subjectOf(request),
      `by ${by}; the run resumes`,
    );
  }

  alert(alert: VelocityAlert): void {
    this.#line(
      this.#c.magenta("! alert"),
      "payments",
      `velocity: ${alert.refunds} refunds to ${alert.customer} within ${alert.windowMinutes} min → revoke the writ`,
    );
  }

  said(agent: string, text: string): void {
    this.#write(`  ${this.#c.dim(`${agent}:`)} ${this.#c.italic(`“${text.trim()}”`)}`);
  }

  tree(tree: DelegationNode, user: string): void {
    this.#heading("The delegation tree, as the store keeps it");
    this.#write(`  ${this.#c.bold(user)} ${this.#c.dim("(user)")}`);
    const visit = (node: DelegationNode, depth: number) => {
      const indent = "   ".repeat(depth);
      const status = node.revoked ? `  ${this.#c.red("revoked")}` : "";
      this.#write(
        `  ${indent}└─ ${this.#c.bold(node.toAgent)}  ${this.#c.dim(`hop ${node.jti.slice(0, 8)}…`)}${status}`,
      );
      for (const child of node.children) visit(child, depth + 1);
    };
    visit(tree, 0);
  }

  verified(verification: LedgerVerification): void {
    this.#write("");
    if (verification.ok) {
      const { rows, chains, checkpoints } = verification;
      this.#write(
        `  ${this.#c.green("✓")} ${this.#c.bold("Ledger verified")}: ${rows} rows in ${plural(chains, "chain")} (one per store opened), ${plural(checkpoints, "signed checkpoint")}; every hash recomputed.`,
      );
      this.#write(
        `    ${this.#c.dim("This run's chain gets its signed checkpoint when the store closes.")}`,
      );
    } else {
      this.#write(`  ${this.#c.red("✗ Ledger broken")}: ${JSON.stringify(verification.problem)}`);
    }
  }

  tryNext(lines: readonly (readonly [string, string])[]): void {
    this.#heading("Try next");
    const width = Math.max(...lines.map(([command]) => command.length)) + 2;
    for (const [command, what] of lines) {
      this.#write(`  ${this.#c.cyan(command.padEnd(width))}${this.#c.dim(what)}`);
    }
  }

  #heading(text: string): void {
    this.#write("");
    this.#write(this.#c.bold(text));
  }

  #line(label: string, subject: string, reason: string): void {
    const pad = LABEL_WIDTH - visibleLength(label);
    this.#write(
      `  ${label}${" ".repeat(Math.max(1, pad))}${subject.padEnd(TOOL_WIDTH + ARGS_WIDTH)} ${reason}`,
    );
  }

  #row(row: LedgerRecord, inputs: ReadonlyMap<string, unknown>): void {
    const c = this.#c;
    const args = row.inputHash ? describeArgs(inputs.get(row.inputHash)) : "";
    const subject = `${(row.tool ?? "").padEnd(TOOL_WIDTH)}${args}`;
    const detail = row.detail ?? {};
    switch (row.kind) {
      case "issue":
        if (typeof detail.jti === "string")
          this.#hops.set(detail.jti, `hop 0: ${row.agent}'s writ`);
        this.#line(
          c.blue("● issued"),
          `root writ: ${row.user} → ${row.agent}`,
          c.dim("the user's permissions ∩ the agent's policy"),
        );
        return;
      case "decision": {
        const where =
          typeof detail.hop === "number"
            ? `hop ${detail.hop}${detail.decidedBy ? ` (${detail.decidedBy}'s writ)` : ""}`
            : "";
        if (row.decision === "allow") {
          this.#line(c.green("✓ allow"), subject, c.dim(row.reason ?? ""));
        } else if (row.decision === "approval_required") {
          this.#line(c.yellow("⏸ approval"), subject, `${row.reason}: a human must approve`);
        } else {
          this.#line(
            c.red("✗ deny"),
            subject,
            `${row.reason}: ${denial(row.reason, where, detail.path)}`,
          );
        }
        return;
      }
      case "outcome":
        // A successful run is implied by its allow; only failures are news.
        if (row.outcome === "error") this.#line(c.red("✗ failed"), subject, row.error ?? "");
        return;
      case "revocation": {
        const id = typeof detail.id === "string" ? detail.id : "";
        const target = this.#hops.get(id) ?? `${detail.target} ${id.slice(0, 8)}…`;
        this.#line(c.red("⊘ revoked"), target, c.dim(String(detail.reason ?? "")));
        return;
      }
      default:
        // delegation, approval and admin rows are in the ledger; the story shows them another way.
        return;
    }
  }
}

/** Why, in a few words, from the decision's code and the facts the ledger keeps with it. */
function denial(code: string | null, where: string, path: unknown): string {
  const at = where || "the writ";
  if (code === "grant.condition_failed") return `"${String(path)}" is outside ${at}`;
  if (code === "grant.action_not_granted") return `the action is not in ${at}`;
  if (code?.startsWith("revoked.")) return `${at} is revoked`;
  return where ? `decided at ${where}` : "refused";
}

function subjectOf(request: WritApprovalRequest): string {
  const [action] = request.actionRequests;
  return `${(action?.name ?? request.writ.action).padEnd(TOOL_WIDTH)}${describeArgs(action?.args)}`;
}

/** Argument values, briefly: `A-1001 20 USD` from `{ order, amount, currency }`, lists shortened. */
function describeArgs(args: unknown): string {
  if (args === null || typeof args !== "object") return "";
  const text = Object.values(args as Record<string, unknown>)
    .map((value) =>
      Array.isArray(value)
        ? `${value.slice(0, 2).join(", ")}${value.length > 2 ? ` +${value.length - 2}` : ""}`
        : typeof value === "object"
          ? JSON.stringify(value)
          : String(value),
    )
    .join(" ");
  return text.length > ARGS_WIDTH ? `${text.slice(0, ARGS_WIDTH - 1)}…` : text;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes
  return text.replace(/\u001b\[[0-9;]*m/g, "").length;
}
