import { parseArgs } from "node:util";
import { isWritError } from "@writ/core";
import type { CliIo } from "./cli-io.js";
import type { Command, CommandContext, OptionSpec, ParsedArgs } from "./command.js";
import { COMMANDS } from "./commands/index.js";
import { exitCodeOf } from "./exit-code-of.js";
import { EXIT_CODES, type ExitCode } from "./exit-codes.js";
import { colorsFor } from "./output/colors.js";
import { Output } from "./output/output.js";
import { type AdminTarget, openAdminTarget } from "./project/admin-target.js";
import { projectFor } from "./project/project.js";
import { UsageError } from "./usage-error.js";
import { VERSION } from "./version.js";

/** Flags every command takes. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  dir: {
    type: "string",
    value: "path",
    description: "The project folder (default ./.writ, or WRIT_DIR).",
  },
  url: { type: "string", value: "url", description: "Administer a Writ server (or WRIT_URL)." },
  "api-key": {
    type: "string",
    value: "key",
    description: "Its API key (prefer WRIT_API_KEY; default .writ/credentials.json).",
  },
  "database-url": {
    type: "string",
    value: "url",
    description: "Use a Postgres store (or WRIT_DATABASE_URL).",
  },
  json: {
    type: "boolean",
    description: "Print JSON: the result on stdout, an error as JSON on stderr.",
  },
  "no-color": { type: "boolean", description: "No colour (also NO_COLOR)." },
  help: { type: "boolean", short: "h", description: "Show help." },
};

/** Runs `writ <argv…>` and resolves with its exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const colors = colorsFor(io.stderr, io.env, argv.includes("--no-color"));
  // Under --json even a command line that does not parse fails as JSON.
  const fail = new Output(io.stdout, io.stderr, colors, argv.includes("--json"));
  if (argv.length === 0 || argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h") {
    io.stdout.write(`${overview()}\n`);
    return argv.length === 0 ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  if (argv[0] === "--version" || argv[0] === "version") {
    io.stdout.write(`${VERSION}\n`);
    return EXIT_CODES.ok;
  }
  const { command, rest } = findCommand(argv);
  if (!command) {
    const words = leadingWords(argv).map(({ word }) => word);
    if (fail.json) {
      fail.failure({
        code: "usage",
        message: `Unknown command "writ ${words.join(" ")}". Run \`writ help\` for the list.`,
        exitCode: EXIT_CODES.usage,
      });
      return EXIT_CODES.usage;
    }
    fail.error(`Unknown command "writ ${words.join(" ")}". Run \`writ help\` for the list.`);
    const group = COMMANDS.filter((candidate) => candidate.name.startsWith(`${words[0]} `));
    if (group.length > 0)
      fail.note(
        `"writ ${words[0]}" takes: ${group.map((entry) => entry.name.split(" ")[1]).join(", ")}.`,
      );
    return EXIT_CODES.usage;
  }
  let target: AdminTarget | undefined;
  try {
    const args = parse(command, rest);
    if (args.values.help === true) {
      io.stdout.write(`${help(command)}\n`);
      return EXIT_CODES.ok;
    }
    const out = new Output(
      io.stdout,
      io.stderr,
      colorsFor(io.stdout, io.env, args.values["no-color"] === true),
      args.values.json === true,
    );
    const string = (name: string) => {
      const value = args.values[name];
      return typeof value === "string" ? value : undefined;
    };
    const project = projectFor(string("dir"), io.env, io.cwd);
    const context: CommandContext = {
      name: command.name,
      args,
      io,
      out,
      project,
      target: async () => {
        target ??= await openAdminTarget(project, {
          url: string("url") ?? io.env.WRIT_URL,
          apiKey: string("api-key") ?? io.env.WRIT_API_KEY,
          databaseUrl: string("database-url") ?? io.env.WRIT_DATABASE_URL,
          // A one-time import renames a file: worth saying under --json too.
          warn: (message) => out.warn(message),
          readOnly: command.reads === true,
        });
        return target;
      },
      string,
      flag: (name) => args.values[name] === true,
      list: (name) => {
        const value = args.values[name];
        return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
      },
      positional: (index, name) => {
        const value = args.positionals[index];
        if (value === undefined) throw new UsageError(`Missing <${name}>.`, command.name);
        return value;
      },
    };
    const code = (await command.run(context)) ?? EXIT_CODES.ok;
    out.finish(code);
    return code;
  } catch (error) {
    const code = exitCodeOf(error);
    report(fail, error, command, code);
    return code;
  } finally {
    await target?.close().catch(() => undefined);
  }
}

/** The first two words of the command line, skipping global flags (and their values) written before them. */
function leadingWords(argv: readonly string[]): { word: string; index: number }[] {
  const words: { word: string; index: number }[] = [];
  for (let index = 0; index < argv.length && words.length < 2; index++) {
    const token = argv[index] as string;
    if (token.startsWith("-")) {
      const spec = GLOBAL_OPTIONS[token.replace(/^--?/, "")];
      if (spec?.type === "string" && !token.includes("=")) index++;
      continue;
    }
    words.push({ word: token, index });
  }
  return words;
}

function findCommand(argv: readonly string[]): { command?: Command; rest: readonly string[] } {
  const words = leadingWords(argv);
  for (const count of [2, 1]) {
    const chosen = words.slice(0, count);
    const command =
      chosen.length === count
        ? COMMANDS.find((candidate) => candidate.name === chosen.map(({ word }) => word).join(" "))
        : undefined;
    if (command) {
      const used = new Set(chosen.map(({ index }) => index));
      return { command, rest: argv.filter((_, index) => !used.has(index)) };
    }
  }
  return { rest: argv };
}

function parse(command: Command, argv: readonly string[]): ParsedArgs {
  const options = {
    ...GLOBAL_OPTIONS,
    ...command.options,
  };
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        Object.entries(options).map(([name, spec]) => [
          name,
          {
            type: spec.type,
            ...(spec.short ? { short: spec.short } : {}),
            ...(spec.multiple ? { multiple: true } : {}),
          },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
    if (parsed.values.help !== true && parsed.positionals.length > (command.maxPositionals ?? 0)) {
      throw new UsageError(
        `Too many arguments: "${parsed.positionals.slice(command.maxPositionals ?? 0).join(" ")}".`,
        command.name,
      );
    }
    return parsed as ParsedArgs;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const message = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
    const known = Object.keys(options).map((name) => `--${name}`);
    throw new UsageError(
      `${message.replace(/\. To specify a positional.*$/, "").replace(/\.?$/, ".")} It takes: ${known.join(", ")}.`,
      command.name,
    );
  }
}

function report(out: Output, error: unknown, command: Command, exitCode: ExitCode): void {
  if (out.json) {
    out.failure({
      code: isWritError(error) ? error.code : error instanceof UsageError ? "usage" : "failed",
      message: error instanceof Error ? error.message : String(error),
      exitCode,
      ...(error instanceof UsageError ? { usage: usageLine(command) } : {}),
    });
  } else if (error instanceof UsageError) {
    out.error(error.message);
    out.note(`Usage: ${usageLine(command)}  (writ ${command.name} --help)`);
  } else if (isWritError(error)) {
    out.error(`${error.message} ${out.colors.dim(`[${error.code}]`)}`);
  } else if (error instanceof TypeError) {
    out.error(error.message);
  } else {
    out.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  }
}

function usageLine(command: Command): string {
  return `writ ${command.name}${command.usage ? ` ${command.usage}` : ""}`;
}

function help(command: Command): string {
  const options = {
    ...command.options,
    ...GLOBAL_OPTIONS,
  };
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ""}--${name}${spec.type === "string" ? ` <${spec.value ?? "value"}>` : ""}`;
    return `  ${flag.padEnd(30)} ${spec.description}${spec.multiple ? " (repeatable)" : ""}`;
  });
  return [`${command.summary}`, "", `Usage: ${usageLine(command)}`, "", "Options:", ...rows].join(
    "\n",
  );
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    `writ ${VERSION}: identity and delegated authority for AI agents`,
    "",
    "Usage: writ <command> [options]      writ <command> --help",
    "",
    "Commands:",
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    "",
    "Exit codes: 0 ok, 1 failed, 2 usage, 3 not found, 4 ledger broken, 5 unavailable, 6 refused.",
  ].join("\n");
}
