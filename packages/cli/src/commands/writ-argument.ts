import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { CommandContext } from "../command.js";
import { UsageError } from "../usage-error.js";

/** A writ given as text, as a file holding it, or as "-" for stdin. */
export async function writArgument(context: CommandContext, value: string): Promise<string> {
  if (value === "-") {
    let text = "";
    for await (const chunk of context.io.stdin) text += chunk.toString();
    return text.trim();
  }
  const file = resolve(context.io.cwd, value);
  if (existsSync(file) && !value.includes("~")) return readFileSync(file, "utf8").trim();
  // A writ is compact JWSs joined by "~"; anything else was meant as a file.
  if (!/^[\w-]+\.[\w-]+\.[\w-]+(~|$)/.test(value))
    throw new UsageError(
      `${file} does not exist, and the argument is not a writ: give a writ, a file holding one, or - to read one from stdin.`,
      context.name,
    );
  return value.trim();
}
