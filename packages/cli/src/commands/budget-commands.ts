import type { BudgetScope } from "@writ/core";
import type { Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";

const SCOPES: readonly BudgetScope[] = ["hop", "user", "agent"];

export const budgetCommands: Command[] = [
  {
    name: "budgets show",
    summary:
      "Show what the budgets of a user, an agent or a hop have used in their current windows",
    usage: "<user id | agent id | hop jti> [--scope user|agent|hop]",
    maxPositionals: 1,
    options: {
      scope: {
        type: "string",
        value: "scope",
        description: "Only budgets set on this: user (permissions, roles), agent (policy) or hop.",
      },
    },
    reads: true,
    async run(context) {
      const { out } = context;
      const subject = context.positional(0, "user id, agent id or hop jti");
      const scope = context.string("scope");
      if (scope !== undefined && !SCOPES.includes(scope as BudgetScope)) {
        throw new UsageError(`--scope must be one of ${SCOPES.join(", ")}.`, "budgets show");
      }
      const usage = await (await context.target()).admin.budgetUsage({
        subject,
        ...(scope === undefined ? {} : { scope: scope as BudgetScope }),
      });
      if (out.json) out.data(usage);
      else
        out.table(
          ["SCOPE", "BUDGET", "ON", "USED", "LEFT", "RESETS"],
          usage.map((counter) => {
            const left = Math.max(0, counter.max - counter.used);
            return [
              counter.scope,
              out.colors.bold(counter.budget),
              // The counter's key after its scope and subject: the action its grant names.
              counter.key.slice(counter.key.indexOf(" ") + 1).split(" ")[0] ?? "",
              String(counter.used),
              left === 0 ? out.colors.red(String(left)) : String(left),
              out.time(counter.resetsAt),
            ];
          }),
          `(no budget of ${subject} has been used in its current window)`,
        );
      return EXIT_CODES.ok;
    },
  },
];
