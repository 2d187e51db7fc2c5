import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { CommandContext } from "../command.js";

/** A writ given as text, as a file holding it, or as "-" for stdin. */
export async function writArgument(context: CommandContext, value: string): Promise<string> {
  if (value === "-") {
    let text = "";
    for await (const chunk of context.io.stdin) text += chunk.toString();
    return text.trim();
  }
  const file = resolve(context.io.cwd, value);
  return (value.includes("~") || !existsSync(file) ? value : readFileSync(file, "utf8")).trim();
}
