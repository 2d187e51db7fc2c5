import { formatGrant } from "@writ/core";
import { allPages } from "../all-pages.js";
import type { Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { grantArgument } from "../grant-argument.js";
import { UsageError } from "../usage-error.js";
import { found } from "./user-commands.js";

export const policyCommands: Command[] = [
  {
    name: "policies list",
    summary: "List agents' policies: the grants each agent may ever use",
    reads: true,
    async run(context) {
      const { out } = context;
      const { admin } = await context.target();
      const agents = await allPages((page) => admin.listAgents(page));
      const policies = agents.map((agent) => ({ agent: agent.id, policy: agent.policy }));
      if (out.json) out.data(policies);
      else
        out.table(
          ["AGENT", "POLICY"],
          policies.map((entry) => [out.colors.bold(entry.agent), out.grants(entry.policy)]),
          "(no agents)",
        );
      return EXIT_CODES.ok;
    },
  },
  {
    name: "policies show",
    summary: "Show an agent's policy",
    usage: "<agent>",
    maxPositionals: 1,
    reads: true,
    async run(context) {
      const id = context.positional(0, "agent");
      const agent = await found(
        context,
        await (await context.target()).admin.getAgent(id),
        "agent",
        id,
      );
      if (context.out.json) context.out.data({ agent: agent.id, policy: agent.policy });
      else if (agent.policy.length === 0) context.out.line(context.out.colors.dim("(none)"));
      else for (const grant of agent.policy) context.out.line(formatGrant(grant));
      return EXIT_CODES.ok;
    },
  },
  {
    name: "policies set",
    summary: "Replace an agent's policy; guards enforce it on writs already issued",
    usage: '<agent> "<grants>"',
    maxPositionals: 2,
    async run(context) {
      const id = context.positional(0, "agent");
      const grants = grantArgument(context.positional(1, "grants"), "policy");
      const agent = await (await context.target()).admin.setAgentPolicy(id, grants);
      context.out.done(`policy of ${agent.id}: ${context.out.grants(agent.policy)}`);
      return EXIT_CODES.ok;
    },
  },
  {
    name: "policies test",
    summary:
      "Replay an agent's (or user's, or role's) latest recorded decisions under new grants: what would change, call by call",
    usage: '<agent> "<grants>"   |   --user <id> "<grants>"   |   --role <id> "<grants>"',
    maxPositionals: 2,
    reads: true,
    options: {
      user: {
        type: "string",
        value: "id",
        description: "Test a user's direct permissions instead.",
      },
      role: { type: "string", value: "id", description: "Test a role's permissions instead." },
      last: {
        type: "string",
        value: "n",
        description: "How many recent decisions (default 50, at most 500).",
      },
    },
    async run(context) {
      const { out, string } = context;
      const user = string("user");
      const role = string("role");
      const subject =
        user !== undefined
          ? ({ kind: "user", id: user } as const)
          : role !== undefined
            ? ({ kind: "role", id: role } as const)
            : ({ kind: "agent", id: context.positional(0, "agent") } as const);
      const text = context.positional(subject.kind === "agent" ? 1 : 0, "grants");
      const grants = grantArgument(text, subject.kind === "agent" ? "policy" : "permissions");
      const last = Number(string("last") ?? 50);
      if (!Number.isSafeInteger(last) || last < 1 || last > 500)
        throw new UsageError("--last must be a whole number from 1 to 500.", "policies test");
      const report = await (await context.target()).admin.whatIf({ subject, grants, limit: last });
      if (out.json) {
        out.data(report);
        return EXIT_CODES.ok;
      }
      const word = (decision: { effect: string; code: string } | undefined) =>
        decision === undefined
          ? ""
          : decision.effect === "allow"
            ? out.colors.green("allow")
            : decision.effect === "deny"
              ? out.colors.red(`deny ${decision.code}`)
              : out.colors.yellow(`${decision.effect} ${decision.code}`);
      out.table(
        ["TIME", "USER", "CHAIN", "ACTION", "NOW", "WITH THE CHANGE"],
        report.calls
          .filter((call) => call.changed)
          .map((call) => [
            out.time(call.time),
            call.user ?? "",
            call.chain.join(" → "),
            call.action ?? "",
            word(call.before),
            word(call.after),
          ]),
        "(nothing would change)",
      );
      out.note(
        `Replayed ${report.examined} recent decision${report.examined === 1 ? "" : "s"} of ${subject.kind} ${subject.id}: ${report.changed} would change${report.skipped > 0 ? `, ${report.skipped} could not be replayed (input not stored, or decided before grants mattered)` : ""}. Nothing was saved.`,
      );
      return EXIT_CODES.ok;
    },
  },
];
