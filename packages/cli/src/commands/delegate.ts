import { resolve } from "node:path";
import { createAgentIdentity, Session, Writ } from "@writ/core";
import type { Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { grantArgument } from "../grant-argument.js";
import { UsageError } from "../usage-error.js";
import { emitWrit, integer, ttlOf } from "./issue.js";
import { readKeyFile } from "./key-file.js";
import { found } from "./user-commands.js";
import { writArgument } from "./writ-argument.js";

export const delegateCommand: Command = {
  name: "delegate",
  summary:
    "Delegate a narrower writ from the writ's holder to another agent (signed with the holder's key)",
  usage:
    '--writ <writ|file|-> --key <holder-key-file> --to <agent> --grants "<text>" [--to-key <thumbprint>] [--ttl <s>]',
  options: {
    writ: { type: "string", value: "writ|file|-", description: "The delegating agent's writ." },
    key: { type: "string", value: "file", description: "The delegating agent's private key file." },
    to: { type: "string", value: "agent", description: "The agent receiving the narrower writ." },
    "to-key": {
      type: "string",
      value: "thumbprint",
      description: "Its key (default: its one registered key).",
    },
    grants: {
      type: "string",
      value: "text",
      description: "What to delegate: must be inside the writ's grants.",
    },
    ttl: { type: "string", value: "seconds", description: "Lifetime (never beyond the parent's)." },
    "max-depth": { type: "string", value: "n", description: "Further hops allowed below it." },
    out: {
      type: "string",
      value: "file",
      description: "Write the writ to a file (owner-only) instead of stdout.",
    },
    json: { type: "boolean", description: "Print the writ and its facts as JSON." },
  },
  async run(context) {
    const { string } = context;
    const writText = string("writ");
    const keyFile = string("key");
    const to = string("to");
    const grantsText = string("grants");
    if (
      writText === undefined ||
      keyFile === undefined ||
      to === undefined ||
      grantsText === undefined
    ) {
      throw new UsageError("delegate needs --writ, --key, --to and --grants.", "delegate");
    }
    const grants = grantArgument(grantsText);
    const writ = await writArgument(context, writText);
    const key = readKeyFile(resolve(context.io.cwd, keyFile));
    const holder = Writ.parse(writ).agent;
    const session = new Session(createAgentIdentity(holder, key), writ);
    let thumbprint = string("to-key");
    if (thumbprint === undefined) {
      const agent = await found(
        context,
        await (await context.target()).admin.getAgent(to),
        "agent",
        to,
      );
      if (agent.keys.length !== 1) {
        throw new UsageError(
          `Agent ${to} has ${agent.keys.length} keys: say which with --to-key <thumbprint>.`,
          "delegate",
        );
      }
      thumbprint = agent.keys[0]?.thumbprint as string;
    }
    const ttl = ttlOf(context);
    const maxDepth = integer(context, "max-depth");
    const child = session.delegateTo(
      { id: to, thumbprint },
      {
        grants,
        ...(ttl === undefined ? {} : { ttl }),
        ...(maxDepth === undefined ? {} : { maxDepth }),
      },
    );
    emitWrit(context, child);
    return EXIT_CODES.ok;
  },
};
