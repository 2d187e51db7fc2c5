import { WritError } from "@writ/core";
import type { UserRecord } from "@writ/store";
import type { Command, CommandContext } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { grantArgument } from "../grant-argument.js";
import type { Output } from "../output/output.js";

const tenant = { type: "string", value: "id", description: "Only this tenant's." } as const;

function userRows(out: Output, users: readonly UserRecord[]): string[][] {
  return users.map((user) => [
    out.colors.bold(user.id),
    user.tenant ?? out.colors.dim("—"),
    user.roles.join(", ") || out.colors.dim("—"),
    out.grants(user.effectivePermissions),
  ]);
}

export function showUser(out: Output, user: UserRecord): void {
  const { bold, dim } = out.colors;
  out.line(`${bold("user")} ${user.id}${user.tenant ? dim(` (tenant ${user.tenant})`) : ""}`);
  out.line(`  roles        ${user.roles.join(", ") || dim("(none)")}`);
  out.line(`  direct       ${out.grants(user.permissions)}`);
  out.line(`  effective    ${out.grants(user.effectivePermissions)}`);
  out.line(`  updated      ${out.time(user.updatedAt)}`);
}

/** The record, or store.not_found (exit code 3) naming what is missing and where. */
export async function found<T>(
  context: CommandContext,
  value: T | undefined,
  what: string,
  id: string,
): Promise<T> {
  if (value === undefined) {
    throw new WritError(
      "store.not_found",
      `No ${what} "${id}" in ${(await context.target()).where}.`,
    );
  }
  return value;
}

export const userCommands: Command[] = [
  {
    name: "users list",
    summary: "List users with their roles and effective permissions",
    options: { tenant },
    reads: true,
    async run(context) {
      const { out, string } = context;
      const users = await (await context.target()).admin.listUsers(
        string("tenant") ? { tenant: string("tenant") as string } : {},
      );
      if (out.json) out.data(users);
      else
        out.table(["USER", "TENANT", "ROLES", "PERMISSIONS"], userRows(out, users), "(no users)");
      return EXIT_CODES.ok;
    },
  },
  {
    name: "users show",
    summary: "Show a user",
    usage: "<id>",
    maxPositionals: 1,
    reads: true,
    async run(context) {
      const id = context.positional(0, "id");
      const user = await found(
        context,
        await (await context.target()).admin.getUser(id),
        "user",
        id,
      );
      if (context.out.json) context.out.data(user);
      else showUser(context.out, user);
      return EXIT_CODES.ok;
    },
  },
  {
    name: "users put",
    summary: "Create or replace a user: direct grants and roles",
    usage: '<id> [--grants "<text>"] [--role <role>]… [--tenant <id>]',
    maxPositionals: 1,
    options: {
      grants: {
        type: "string",
        value: "text",
        description: 'Direct grants, e.g. "docs.read; email.send(to in @crm.contacts)".',
      },
      role: { type: "string", multiple: true, value: "role", description: "A role to hold." },
      tenant: { type: "string", value: "id", description: "The user's tenant." },
    },
    async run(context) {
      const { out, string, list } = context;
      const id = context.positional(0, "id");
      const grants = string("grants");
      const user = await (await context.target()).admin.putUser({
        id,
        ...(string("tenant") ? { tenant: string("tenant") as string } : {}),
        ...(grants === undefined ? {} : { permissions: grantArgument(grants) }),
        roles: list("role"),
      });
      out.done(`user ${user.id} saved`);
      showUser(out, user);
      return EXIT_CODES.ok;
    },
  },
  {
    name: "users remove",
    summary: "Remove a user (revoke them instead to keep their id unusable)",
    usage: "<id>",
    maxPositionals: 1,
    async run(context) {
      const id = context.positional(0, "id");
      if (!(await (await context.target()).admin.removeUser(id))) {
        context.out.error(`No user "${id}".`);
        return EXIT_CODES.notFound;
      }
      context.out.done(`user ${id} removed`);
      return EXIT_CODES.ok;
    },
  },
  {
    name: "users assign",
    summary: "Give a user a role",
    usage: "<user> <role>",
    maxPositionals: 2,
    async run(context) {
      const user = context.positional(0, "user");
      const role = context.positional(1, "role");
      await (await context.target()).admin.assignRole(user, role);
      context.out.done(`${user} now holds role ${role}`);
      return EXIT_CODES.ok;
    },
  },
  {
    name: "users unassign",
    summary: "Take a role from a user",
    usage: "<user> <role>",
    maxPositionals: 2,
    async run(context) {
      const user = context.positional(0, "user");
      const role = context.positional(1, "role");
      if (!(await (await context.target()).admin.unassignRole(user, role))) {
        context.out.error(`${user} does not hold role ${role}.`);
        return EXIT_CODES.notFound;
      }
      context.out.done(`${user} no longer holds role ${role}`);
      return EXIT_CODES.ok;
    },
  },
];
