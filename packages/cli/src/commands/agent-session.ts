import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { createAgentIdentity, Session, Writ, WritError } from "@writ/core";
import type { CommandContext, OptionSpec } from "../command.js";
import { UsageError } from "../usage-error.js";
import { parsePrivateKey, readKeyFile } from "./key-file.js";
import { writArgument } from "./writ-argument.js";

/** The flags that name an agent's writ and key, for commands that act as the agent. */
export const AGENT_SESSION_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  writ: {
    type: "string",
    value: "writ|file|-",
    description: "The agent's writ (default: $WRIT_WRIT).",
  },
  key: {
    type: "string",
    value: "file",
    description:
      "The agent's private key file, readable by you alone (default: the JWK in $WRIT_AGENT_KEY).",
  },
};

/**
 * The session of the agent a writ was issued to, with its private key: from
 * `--writ` and `--key` (a file only its owner can read), else from
 * `WRIT_WRIT` and `WRIT_AGENT_KEY`. Returned as a function: a writ given as a file is read again whenever the
 * file changes, so a long-running command picks up a renewed writ (a file
 * that does not hold one for the same agent and key leaves the last one in use).
 */
export async function agentSession(
  context: CommandContext,
  command: string,
): Promise<() => Session> {
  const { io } = context;
  const writText = context.string("writ") ?? io.env.WRIT_WRIT;
  const keyFile = context.string("key");
  const keyText = io.env.WRIT_AGENT_KEY;
  const key =
    keyFile !== undefined
      ? readKeyFile(resolve(io.cwd, keyFile))
      : keyText !== undefined
        ? parsePrivateKey(keyText, "WRIT_AGENT_KEY")
        : undefined;
  if (writText === undefined || writText.trim() === "" || key === undefined) {
    throw new UsageError(
      `${command} needs the agent's writ (--writ, or WRIT_WRIT) and its private key (--key <file>, or WRIT_AGENT_KEY).`,
      command,
    );
  }
  const sessionOf = (text: string): Session => {
    const writ = Writ.parse(text);
    return new Session(createAgentIdentity(writ.agent, key), writ);
  };
  let current: Session;
  try {
    current = sessionOf(await writArgument(context, writText));
  } catch (error) {
    if (error instanceof WritError) throw error;
    throw new UsageError(error instanceof Error ? error.message : String(error), command);
  }
  const file = writText === "-" ? undefined : resolve(io.cwd, writText);
  if (file === undefined || !existsSync(file)) return () => current;
  let seen = statSync(file).mtimeMs;
  return () => {
    const changed = statSync(file, { throwIfNoEntry: false })?.mtimeMs;
    if (changed !== undefined && changed !== seen) {
      seen = changed;
      try {
        current = sessionOf(readFileSync(file, "utf8").trim());
      } catch {
        // Half-written or foreign: the gateway judges the writ still in use.
      }
    }
    return current;
  };
}
