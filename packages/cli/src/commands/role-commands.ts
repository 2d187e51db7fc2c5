import type { RoleRecord } from "@writ/store";
import { allPages } from "../all-pages.js";
import type { Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { grantArgument } from "../grant-argument.js";
import type { Output } from "../output/output.js";
import { found } from "./user-commands.js";

/** The record: as a person reads it, or as JSON under --json. */
function showRole(out: Output, role: RoleRecord): void {
  if (out.json) {
    out.data(role);
    return;
  }
  const { bold, dim } = out.colors;
  out.line(`${bold("role")} ${role.id}${role.tenant ? dim(` (tenant ${role.tenant})`) : ""}`);
  out.line(`  grants     ${out.grants(role.permissions)}`);
  out.line(`  members    ${role.members.join(", ") || dim("(none)")}`);
}

export const roleCommands: Command[] = [
  {
    name: "roles list",
    summary: "List roles with their grants and members",
    reads: true,
    async run(context) {
      const { out } = context;
      const { admin } = await context.target();
      const roles = await allPages((page) => admin.listRoles(page));
      if (out.json) out.data(roles);
      else
        out.table(
          ["ROLE", "TENANT", "GRANTS", "MEMBERS"],
          roles.map((role) => [
            out.colors.bold(role.id),
            role.tenant ?? out.colors.dim("—"),
            out.grants(role.permissions),
            String(role.members.length),
          ]),
          "(no roles)",
        );
      return EXIT_CODES.ok;
    },
  },
  {
    name: "roles show",
    summary: "Show a role",
    usage: "<id>",
    maxPositionals: 1,
    reads: true,
    async run(context) {
      const id = context.positional(0, "id");
      const role = await found(
        context,
        await (await context.target()).admin.getRole(id),
        "role",
        id,
      );
      showRole(context.out, role);
      return EXIT_CODES.ok;
    },
  },
  {
    name: "roles put",
    summary: "Create or replace a role; its members' guards enforce the change live",
    usage: '<id> --grants "<text>" [--tenant <id>]',
    maxPositionals: 1,
    options: {
      grants: {
        type: "string",
        value: "text",
        description: 'The role\'s grants, e.g. "refunds.approve(amount < 100)".',
      },
      tenant: { type: "string", value: "id", description: "The role's tenant." },
    },
    async run(context) {
      const { out, string } = context;
      const id = context.positional(0, "id");
      const text = string("grants");
      if (text === undefined) {
        out.error('Say what the role grants: --grants "<text>".');
        return EXIT_CODES.usage;
      }
      const role = await (await context.target()).admin.putRole({
        id,
        permissions: grantArgument(text),
        ...(string("tenant") ? { tenant: string("tenant") as string } : {}),
      });
      out.done(`role ${role.id} saved`);
      showRole(out, role);
      return EXIT_CODES.ok;
    },
  },
  {
    name: "roles remove",
    summary: "Remove a role (its members lose its grants)",
    usage: "<id>",
    maxPositionals: 1,
    async run(context) {
      const id = context.positional(0, "id");
      if (!(await (await context.target()).admin.removeRole(id))) {
        context.out.error(`No role "${id}".`);
        return EXIT_CODES.notFound;
      }
      context.out.done(`role ${id} removed`);
      return EXIT_CODES.ok;
    },
  },
];
