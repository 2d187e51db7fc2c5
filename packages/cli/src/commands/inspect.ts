import { formatWritTree, inspectWrit } from "@writ/core";
import type { Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { writArgument } from "./writ-argument.js";

export const inspectCommand: Command = {
  name: "inspect",
  summary:
    "Show a writ as a tree: who delegated what to whom, until when (decodes; verifies nothing)",
  usage: "<writ|file|->",
  maxPositionals: 1,
  reads: true,
  async run(context) {
    const { out } = context;
    const inspected = inspectWrit(await writArgument(context, context.positional(0, "writ")));
    if (out.json) {
      out.data(inspected);
      return EXIT_CODES.ok;
    }
    const tree = formatWritTree(inspected)
      .split("\n")
      .map((line) =>
        line.includes("expired ") && !line.includes("(in ")
          ? out.colors.red(line)
          : line.trimStart().startsWith("└─")
            ? line.replace(
                /└─ (.*?) → (\S+)/,
                (_match, from: string, to: string) => `└─ ${from} → ${out.colors.bold(to)}`,
              )
            : line,
      );
    for (const line of tree) out.line(line);
    return EXIT_CODES.ok;
  },
};
