import type { Readable, Writable } from "node:stream";
import type { Command } from "../command.js";
import { runStdioBridge } from "../connect/stdio-bridge.js";
import { EXIT_CODES } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";
import { AGENT_SESSION_OPTIONS, agentSession } from "./agent-session.js";

export const connectCommand: Command = {
  name: "connect",
  summary:
    "Serve MCP on stdin/stdout for a local client, relaying to a Writ gateway: the agent's key stays here and signs each call",
  usage: "<gateway-url> --writ <writ|file> --key <file> [--audience <url>]",
  maxPositionals: 1,
  options: {
    ...AGENT_SESSION_OPTIONS,
    audience: {
      type: "string",
      value: "url",
      description: "The audience of the proofs (default: the gateway URL).",
    },
  },
  async run(context) {
    const target = context.positional(0, "gateway-url");
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new UsageError(`${target} is not a URL: give the gateway's MCP endpoint.`, "connect");
    }
    const session = await agentSession(context, "connect");
    const audience = context.string("audience");
    // stdout is the MCP channel from here on: nothing else may be written to it.
    await runStdioBridge({
      url,
      session,
      ...(audience === undefined ? {} : { audience }),
      stdin: context.io.stdin as Readable,
      stdout: context.io.stdout as Writable,
      report: (line) => context.io.stderr.write(`writ connect: ${line}\n`),
    });
    return EXIT_CODES.ok;
  },
};
