import { resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { type Ed25519PublicJwk, formatGrants } from "@writ/core";
import { type Plan, type PlannedChange, planConfig } from "../apply/plan-config.js";
import { readWritConfig } from "../apply/writ-config.js";
import type { Command, CommandContext } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import type { Output } from "../output/output.js";
import { tenantNote } from "../output/tenant-note.js";
import { UsageError } from "../usage-error.js";

function describe(out: Output, change: PlannedChange): string {
  const { green, yellow, bold, dim } = out.colors;
  const mark = change.action === "create" ? green("+") : yellow("~");
  const name = bold(`${change.kind} ${change.id}`);
  const tenant = change.kind === "set" ? "" : tenantNote(change, dim);
  switch (change.kind) {
    case "role":
      return `${mark} ${name}${tenant}  ${change.before ? `${dim(formatGrants(change.before) || "(none)")} → ` : ""}${formatGrants(change.grants)}`;
    case "agent": {
      const keys =
        change.newKeys.length > 0
          ? dim(`  + key ${change.newKeys.map((key) => key.thumbprint).join(", ")}`)
          : "";
      return `${mark} ${name}${tenant}  ${change.before ? `${dim(formatGrants(change.before) || "(none)")} → ` : ""}${formatGrants(change.policy)}${keys}`;
    }
    case "set":
      return `${mark} ${name}  ${change.before ? `${dim(`${change.before.length} values`)} → ` : ""}${change.values.length} values`;
  }
}

async function confirm(context: CommandContext): Promise<boolean> {
  const { stdin, stderr } = context.io;
  if (!stdin.isTTY) {
    throw new UsageError(
      "Not a terminal: pass --yes to apply these changes (or --dry-run to only show them).",
      "apply",
    );
  }
  const reader = createInterface({ input: stdin, output: stderr });
  try {
    return /^y(es)?$/i.test((await reader.question("Apply these changes? [y/N] ")).trim());
  } finally {
    reader.close();
  }
}

export const applyCommand: Command = {
  name: "apply",
  summary:
    "Make roles, agents, policies and named sets match a config file: shows the diff, then applies it",
  usage: "<file.json> [--yes] [--dry-run]",
  maxPositionals: 1,
  options: {
    yes: { type: "boolean", short: "y", description: "Apply without asking." },
    "dry-run": { type: "boolean", description: "Only show what would change." },
    json: { type: "boolean", description: "Print the plan as JSON." },
  },
  async run(context) {
    const { out, project } = context;
    const file = resolve(context.io.cwd, context.positional(0, "file"));
    const config = readWritConfig(file);
    const target = await context.target();
    const plan: Plan = await planConfig(
      config,
      target.admin,
      project.exists() ? project.sets() : {},
    );
    if (context.flag("json")) out.data(plan);
    else {
      for (const change of plan.changes) out.line(describe(out, change));
      if (plan.unchanged.length > 0)
        out.line(out.colors.dim(`= unchanged: ${plan.unchanged.join(", ")}`));
    }
    if (plan.changes.length === 0) {
      out.done(`${target.where} already matches ${file}`);
      return EXIT_CODES.ok;
    }
    if (context.flag("dry-run")) return EXIT_CODES.ok;
    if (!context.flag("yes") && !(await confirm(context))) {
      out.note("Nothing applied.");
      return EXIT_CODES.failed;
    }
    const { admin } = target;
    const sets = project.exists() ? { ...project.sets() } : {};
    for (const change of plan.changes) {
      if (change.kind === "role") {
        await admin.putRole({
          id: change.id,
          permissions: change.grants,
          ...(change.tenant ? { tenant: change.tenant } : {}),
        });
      } else if (change.kind === "agent") {
        await admin.putAgent({
          id: change.id,
          policy: change.policy,
          keys: change.newKeys.map((key) => key.jwk as Ed25519PublicJwk),
          ...(change.tenant ? { tenant: change.tenant } : {}),
          ...(change.shared ? { shared: true } : {}),
        });
      } else {
        sets[change.id] = [...change.values] as string[];
      }
    }
    if (plan.changes.some((change) => change.kind === "set")) {
      if (!project.exists())
        throw new UsageError(
          "Named sets are kept in the project folder: run `writ init` first.",
          "apply",
        );
      project.saveSets(sets);
    }
    out.done(
      `applied ${plan.changes.length} change${plan.changes.length === 1 ? "" : "s"} to ${target.where}`,
    );
    return EXIT_CODES.ok;
  },
};
