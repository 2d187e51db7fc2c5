import type { CliIo } from "./cli-io.js";
import type { ExitCode } from "./exit-codes.js";
import type { Output } from "./output/output.js";
import type { AdminTarget } from "./project/admin-target.js";
import type { Project } from "./project/project.js";

/** A flag a command takes (node:util parseArgs' option shape, plus help text). */
export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
  /** Shown in help: what the value is. */
  readonly description: string;
  /** Shown in help as `<value>`. */
  readonly value?: string;
}

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
  readonly positionals: readonly string[];
}

/** What a command runs with. */
export interface CommandContext {
  readonly name: string;
  readonly args: ParsedArgs;
  readonly io: CliIo;
  readonly out: Output;
  readonly project: Project;
  /** The store or server to administer: opened on first use, closed after the command. */
  target(): Promise<AdminTarget>;
  /** A string flag's value. */
  string(name: string): string | undefined;
  /** A boolean flag. */
  flag(name: string): boolean;
  /** A repeatable string flag's values. */
  list(name: string): readonly string[];
  /** A positional argument, or a usage error naming it. */
  positional(index: number, name: string): string;
}

export interface Command {
  /** The words that select it, e.g. "users list". */
  readonly name: string;
  readonly summary: string;
  /** Arguments after the name, as shown in help, e.g. "<id> [--tenant <id>]". */
  readonly usage?: string;
  readonly options?: Readonly<Record<string, OptionSpec>>;
  /** Most positional arguments it takes. Default 0. */
  readonly maxPositionals?: number;
  /** Only reads the store: it works on a read-only copy or file system. */
  readonly reads?: boolean;
  run(context: CommandContext): Promise<ExitCode | undefined>;
}
