import { userInfo } from "node:os";
import type { ApprovalStatus } from "@writ/core";
import { allPages } from "../all-pages.js";
import type { Command, CommandContext } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";

const STATUSES: readonly ApprovalStatus[] = [
  "pending",
  "approved",
  "rejected",
  "consumed",
  "expired",
];

function decider(context: CommandContext): string {
  return context.string("by") ?? `cli:${userInfo().username}`;
}

const verdictOptions = {
  by: {
    type: "string",
    value: "who",
    description: "Who decides (default cli:<your login>), recorded in the ledger.",
  },
  reason: { type: "string", value: "text", description: "Why, recorded in the ledger." },
} as const;

export const approvalCommands: Command[] = [
  {
    name: "approvals list",
    summary: "List approval requests (default: pending)",
    options: {
      status: { type: "string", value: "status", description: `One of ${STATUSES.join(", ")}.` },
      user: { type: "string", value: "id", description: "Only this user's." },
    },
    reads: true,
    async run(context) {
      const { out, string } = context;
      const status = string("status");
      if (status !== undefined && !STATUSES.includes(status as ApprovalStatus)) {
        throw new UsageError(`--status must be one of ${STATUSES.join(", ")}.`, "approvals list");
      }
      const { admin } = await context.target();
      const approvals = await allPages((page) =>
        admin.listApprovals({
          ...page,
          ...(status === undefined ? {} : { status: status as ApprovalStatus }),
          ...(string("user") ? { user: string("user") as string } : {}),
        }),
      );
      if (out.json) out.data(approvals);
      else
        out.table(
          ["ID", "USER", "AGENT", "ACTION", "TOOL", "STATUS", "EXPIRES"],
          approvals.map((approval) => [
            approval.id,
            approval.user,
            approval.chain.join(" → "),
            out.colors.bold(approval.action),
            approval.tool,
            approval.status === "pending" ? out.colors.yellow(approval.status) : approval.status,
            out.time(approval.expiresAt),
          ]),
          "(no approval requests)",
        );
      return EXIT_CODES.ok;
    },
  },
  ...(["approve", "reject"] as const).map(
    (verdict): Command => ({
      name: `approvals ${verdict}`,
      summary:
        verdict === "approve"
          ? "Approve a pending request: the call it is bound to may run once"
          : "Reject a pending request",
      usage: "<id> [--by <who>] [--reason <text>]",
      maxPositionals: 1,
      options: verdictOptions,
      async run(context) {
        const id = context.positional(0, "id");
        const reason = context.string("reason");
        const input = { by: decider(context), ...(reason === undefined ? {} : { reason }) };
        const { admin } = await context.target();
        const approval =
          verdict === "approve" ? await admin.approve(id, input) : await admin.reject(id, input);
        context.out.done(
          `${approval.status} ${approval.action} for ${approval.user} (${approval.id}) by ${input.by}`,
        );
        return EXIT_CODES.ok;
      },
    }),
  ),
];
