import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { CommandContext } from "../command.js";
import { UsageError } from "../usage-error.js";

/** The file a flag (`--out`) names, resolved; a usage error naming its folder when that does not exist. */
export function outFile(context: CommandContext, flag: string): string | undefined {
  const value = context.string(flag);
  if (value === undefined) return undefined;
  const file = resolve(context.io.cwd, value);
  if (!existsSync(dirname(file)))
    throw new UsageError(
      `--${flag}: the folder ${dirname(file)} does not exist: create it first, or write elsewhere.`,
      context.name,
    );
  return file;
}
