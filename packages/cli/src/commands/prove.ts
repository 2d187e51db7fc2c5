import { isAction } from "@writ/core";
import type { Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";
import { AGENT_SESSION_OPTIONS, agentSession } from "./agent-session.js";

export const proveCommand: Command = {
  name: "prove",
  summary:
    "Print an invocation proof for one call: the writ's agent signs its audience, action, tool and arguments",
  usage:
    "--writ <writ|file|-> --key <file> --audience <url> --action <action> --tool <name> [--args <json>] [--http-url <url>]",
  options: {
    ...AGENT_SESSION_OPTIONS,
    audience: {
      type: "string",
      value: "url",
      description: "The guard the proof is for (a gateway's resource URL).",
    },
    action: { type: "string", value: "action", description: "The action the call performs." },
    tool: { type: "string", value: "name", description: "The tool (or prompt) called." },
    args: {
      type: "string",
      value: "json",
      description: "The call's arguments, a JSON object (default {}).",
    },
    "http-url": {
      type: "string",
      value: "url",
      description:
        "Bind the proof to a POST to this URL, for the DPoP header (default: unbound, for params._meta).",
    },
    json: { type: "boolean", description: "Print the proof with its claims as JSON." },
  },
  async run(context) {
    const { string } = context;
    const audience = string("audience");
    const action = string("action");
    const tool = string("tool");
    if (audience === undefined || action === undefined || tool === undefined) {
      throw new UsageError("prove needs --audience, --action and --tool.", "prove");
    }
    if (!isAction(action)) {
      throw new UsageError(`--action must be an action such as "files.read".`, "prove");
    }
    const args = jsonObject(string("args") ?? "{}");
    const session = (await agentSession(context, "prove"))();
    const httpUrl = string("http-url");
    const proof = session.prove({
      audience,
      action,
      tool,
      args,
      ...(httpUrl === undefined ? {} : { http: { method: "POST", url: httpUrl } }),
    });
    if (context.out.json) {
      const payload = proof.split(".")[1] ?? "";
      context.out.data({ proof, claims: JSON.parse(Buffer.from(payload, "base64url").toString()) });
    } else context.out.line(proof);
    return EXIT_CODES.ok;
  },
};

function jsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError("--args must be JSON: the call's arguments as an object.", "prove");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UsageError("--args must be a JSON object, as a tool's arguments are.", "prove");
  }
  return value as Record<string, unknown>;
}
