import { writeFileSync } from "node:fs";
import type { Writ } from "@writ/core";
import type { Command, CommandContext } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { grantArgument } from "../grant-argument.js";
import { DEFAULT_MAX_TTL } from "../project/project.js";
import { UsageError } from "../usage-error.js";
import { outFile } from "./out-file.js";

const integer = (context: CommandContext, name: string): number | undefined => {
  const value = context.string(name);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0)
    throw new UsageError(`--${name} must be a whole number.`, context.name);
  return number;
};

/** --ttl, at most the project's maxTtl (config.json; default a day). */
export function ttlOf(context: CommandContext): number | undefined {
  const ttl = integer(context, "ttl");
  const max =
    (context.project.exists() ? context.project.config().maxTtl : undefined) ?? DEFAULT_MAX_TTL;
  if (ttl !== undefined && ttl > max)
    throw new UsageError(
      `--ttl must be at most ${max} seconds, the longest lifetime this project gives a writ (maxTtl in config.json).`,
      context.name,
    );
  return ttl;
}

/** Prints a writ (or writes it to --out), with --json its facts too. */
export function emitWrit(context: CommandContext, writ: Writ): void {
  const { out } = context;
  const text = writ.toString();
  const file = outFile(context, "out");
  if (file !== undefined) {
    writeFileSync(file, `${text}\n`, { mode: 0o600 });
    out.done(`writ written to ${context.string("out")}`);
  }
  const { claims } = writ.leaf;
  if (out.json) {
    out.data({
      writ: text,
      user: writ.user,
      agent: claims.aud,
      jti: claims.jti,
      hops: writ.hops.length,
      expiresAt: new Date(claims.exp * 1000).toISOString(),
    });
  } else if (file === undefined) {
    out.line(text);
  }
  out.note(
    `for ${writ.user} → ${claims.aud}, ${writ.hops.length} hop${writ.hops.length === 1 ? "" : "s"}, expires ${new Date(claims.exp * 1000).toISOString()} (writ inspect shows it)`,
  );
}

export { integer };

export const issueCommand: Command = {
  name: "issue",
  summary: "Issue a root writ: the user's permissions ∩ the agent's policy, optionally narrowed",
  usage:
    '--user <id> --agent <id> [--grants "<text>"] [--ttl <s>] [--max-depth <n>] [--out <file>]',
  options: {
    user: { type: "string", value: "id", description: "The user the agent acts for." },
    agent: { type: "string", value: "id", description: "The agent receiving the writ." },
    key: {
      type: "string",
      value: "thumbprint",
      description: "Which agent key to bind, when it has several.",
    },
    grants: {
      type: "string",
      value: "text",
      description: "Narrow the writ below the user's authority.",
    },
    ttl: { type: "string", value: "seconds", description: "Lifetime (default 900)." },
    "max-depth": { type: "string", value: "n", description: "Further hops allowed (default 3)." },
    out: {
      type: "string",
      value: "file",
      description: "Write the writ to a file (owner-only) instead of stdout.",
    },
    json: { type: "boolean", description: "Print the writ and its facts as JSON." },
  },
  async run(context) {
    const user = context.string("user");
    const agent = context.string("agent");
    if (user === undefined || agent === undefined)
      throw new UsageError("Name the --user and the --agent.", "issue");
    const grants = context.string("grants");
    const ttl = ttlOf(context);
    const maxDepth = integer(context, "max-depth");
    const writ = await (await context.target()).admin.issue({
      user,
      agent,
      ...(context.string("key") ? { key: context.string("key") as string } : {}),
      ...(grants === undefined ? {} : { grants: grantArgument(grants) }),
      ...(ttl === undefined ? {} : { ttl }),
      ...(maxDepth === undefined ? {} : { maxDepth }),
    });
    emitWrit(context, writ);
    return EXIT_CODES.ok;
  },
};
