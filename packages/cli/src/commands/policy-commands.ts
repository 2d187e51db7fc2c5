import { formatGrant } from "@writ/core";
import { allPages } from "../all-pages.js";
import type { Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { grantArgument } from "../grant-argument.js";
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
];
