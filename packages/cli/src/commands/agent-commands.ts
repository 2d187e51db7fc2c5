import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createAgentIdentity, type Ed25519PrivateJwk, KeyPair } from "@writ/core";
import type { AgentRecord } from "@writ/store";
import { allPages } from "../all-pages.js";
import type { Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { grantArgument } from "../grant-argument.js";
import type { Output } from "../output/output.js";
import { tenantNote } from "../output/tenant-note.js";
import { UsageError } from "../usage-error.js";
import { found } from "./user-commands.js";

/** The record: as a person reads it, or as JSON under --json. */
export function showAgent(out: Output, agent: AgentRecord): void {
  if (out.json) {
    out.data(agent);
    return;
  }
  const { bold, dim } = out.colors;
  out.line(`${bold("agent")} ${agent.id}${tenantNote(agent, dim)}`);
  out.line(`  policy     ${out.grants(agent.policy)}`);
  out.line(
    `  keys       ${agent.keys.map((key) => key.thumbprint).join(", ") || dim("(none: it cannot receive writs)")}`,
  );
}

const SHARED_OPTION = {
  type: "boolean",
  description: "The agent serves the users of every tenant (an operator's key only).",
} as const;

/** What --tenant and --shared say about the agent's tenancy. */
function tenancy(string: (name: string) => string | undefined, flag: (name: string) => boolean) {
  return {
    ...(string("tenant") ? { tenant: string("tenant") as string } : {}),
    ...(flag("shared") ? { shared: true } : {}),
  };
}

export const agentCommands: Command[] = [
  {
    name: "agents list",
    summary: "List agents with their policies and keys",
    options: { tenant: { type: "string", value: "id", description: "Only this tenant's." } },
    reads: true,
    async run(context) {
      const { out, string } = context;
      const { admin } = await context.target();
      const agents = await allPages((page) =>
        admin.listAgents({
          ...page,
          ...(string("tenant") ? { tenant: string("tenant") as string } : {}),
        }),
      );
      if (out.json) out.data(agents);
      else
        out.table(
          ["AGENT", "TENANT", "POLICY", "KEYS"],
          agents.map((agent) => [
            out.colors.bold(agent.id),
            agent.shared ? "(shared)" : (agent.tenant ?? out.colors.dim("—")),
            out.grants(agent.policy),
            String(agent.keys.length),
          ]),
          "(no agents)",
        );
      return EXIT_CODES.ok;
    },
  },
  {
    name: "agents show",
    summary: "Show an agent",
    usage: "<id>",
    maxPositionals: 1,
    reads: true,
    async run(context) {
      const id = context.positional(0, "id");
      const agent = await found(
        context,
        await (await context.target()).admin.getAgent(id),
        "agent",
        id,
      );
      showAgent(context.out, agent);
      return EXIT_CODES.ok;
    },
  },
  {
    name: "agents create",
    summary:
      "Create an agent with a fresh Ed25519 key pair; the private key goes to a file only you can read",
    usage: '<id> --policy "<text>" [--key-out <file>] [--tenant <id> | --shared]',
    maxPositionals: 1,
    options: {
      policy: { type: "string", value: "text", description: "The grants the agent may ever use." },
      "key-out": {
        type: "string",
        value: "file",
        description: "Where to write the private key (default .writ/agents/<id>.jwk).",
      },
      tenant: { type: "string", value: "id", description: "The agent's tenant." },
      shared: SHARED_OPTION,
    },
    async run(context) {
      const { out, string, flag, project } = context;
      const id = context.positional(0, "id");
      const policy = string("policy");
      if (policy === undefined)
        throw new UsageError('Say what the agent may do: --policy "<text>".', "agents create");
      const grants = grantArgument(policy, "policy");
      const keyFile = resolve(
        context.io.cwd,
        string("key-out") ?? project.path("agents", `${id.replaceAll("/", "_")}.jwk`),
      );
      if (existsSync(keyFile))
        throw new UsageError(
          `${keyFile} exists: choose another --key-out, or register its key with \`writ agents put\`.`,
        );
      const identity = createAgentIdentity(id);
      const agent = await (await context.target()).admin.putAgent({
        id,
        policy: grants,
        keys: [identity.key.publicJwk],
        ...tenancy(string, flag),
      });
      mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
      writeFileSync(keyFile, `${JSON.stringify(identity.key.exportPrivateJwk())}\n`, {
        mode: 0o600,
        flag: "wx",
      });
      out.done(`agent ${agent.id} created; private key in ${keyFile} (keep it secret)`);
      showAgent(out, agent);
      return EXIT_CODES.ok;
    },
  },
  {
    name: "agents put",
    summary: "Create or replace an agent's policy, registering public keys given",
    usage: '<id> --policy "<text>" [--key <public-jwk-file>]… [--tenant <id> | --shared]',
    maxPositionals: 1,
    options: {
      policy: { type: "string", value: "text", description: "The grants the agent may ever use." },
      key: {
        type: "string",
        multiple: true,
        value: "file",
        description: "A public JWK file (or a private key file: only its public half is sent).",
      },
      tenant: { type: "string", value: "id", description: "The agent's tenant." },
      shared: SHARED_OPTION,
    },
    async run(context) {
      const { out, string, flag, list } = context;
      const id = context.positional(0, "id");
      const policy = string("policy");
      if (policy === undefined)
        throw new UsageError('Say what the agent may do: --policy "<text>".', "agents put");
      const keys = list("key").map((file) => publicJwkFromFile(resolve(context.io.cwd, file)));
      const agent = await (await context.target()).admin.putAgent({
        id,
        policy: grantArgument(policy, "policy"),
        keys,
        ...tenancy(string, flag),
      });
      out.done(`agent ${agent.id} saved`);
      showAgent(out, agent);
      return EXIT_CODES.ok;
    },
  },
  {
    name: "agents remove",
    summary: "Remove an agent (revoke it instead to keep its id unusable)",
    usage: "<id>",
    maxPositionals: 1,
    async run(context) {
      const id = context.positional(0, "id");
      if (!(await (await context.target()).admin.removeAgent(id))) {
        context.out.error(`No agent "${id}".`);
        return EXIT_CODES.notFound;
      }
      context.out.done(`agent ${id} removed`);
      return EXIT_CODES.ok;
    },
  },
];

function publicJwkFromFile(path: string) {
  const jwk = JSON.parse(readFileSync(path, "utf8")) as Ed25519PrivateJwk;
  return "d" in jwk ? KeyPair.fromPrivateJwk(jwk).publicJwk : jwk;
}
