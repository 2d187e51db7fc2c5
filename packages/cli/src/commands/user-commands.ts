import { WritError } from "@writ/core";
import type { UserRecord } from "@writ/store";
import { allPages } from "../all-pages.js";
import type { Command, CommandContext } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { grantArgument } from "../grant-argument.js";
import type { Output } from "../output/output.js";
import { UsageError } from "../usage-error.js";

const tenant = { type: "string", value: "id", description: "Only this tenant's." } as const;
const identityOptions = {
  issuer: {
    type: "string",
    value: "url",
    description: "The identity provider's issuer, exactly as its tokens carry it in iss.",
  },
  subject: {
    type: "string",
    value: "value",
    description: "The value of the provider's user claim (sub, or the email it is mapped to).",
  },
} as const;

/** The --issuer and --subject an identity command needs. */
function identityOf(context: CommandContext, command: string): { issuer: string; subject: string } {
  const issuer = context.string("issuer");
  const subject = context.string("subject");
  if (issuer === undefined || subject === undefined) {
    throw new UsageError("Name the identity with --issuer <url> and --subject <value>.", command);
  }
  return { issuer, subject };
}

function userRows(out: Output, users: readonly UserRecord[]): string[][] {
  return users.map((user) => [
    out.colors.bold(user.id),
    user.tenant ?? out.colors.dim("—"),
    user.roles.join(", ") || out.colors.dim("—"),
    out.grants(user.effectivePermissions),
  ]);
}

/** The record: as a person reads it, or as JSON under --json. */
export function showUser(out: Output, user: UserRecord): void {
  if (out.json) {
    out.data(user);
    return;
  }
  const { bold, dim } = out.colors;
  out.line(`${bold("user")} ${user.id}${user.tenant ? dim(` (tenant ${user.tenant})`) : ""}`);
  out.line(`  roles        ${user.roles.join(", ") || dim("(none)")}`);
  out.line(`  direct       ${out.grants(user.permissions)}`);
  out.line(`  effective    ${out.grants(user.effectivePermissions)}`);
  out.line(
    `  identities   ${user.identities.map(({ issuer, subject }) => `${subject} at ${issuer}`).join(", ") || dim("(none)")}`,
  );
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
      const { admin } = await context.target();
      const users = await allPages((page) =>
        admin.listUsers({
          ...page,
          ...(string("tenant") ? { tenant: string("tenant") as string } : {}),
        }),
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
      showUser(context.out, user);
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
    name: "users link",
    summary:
      "Link an identity at an identity provider to a user: token exchange turns that identity into this user",
    usage: "<user> --issuer <url> --subject <value>",
    maxPositionals: 1,
    options: identityOptions,
    async run(context) {
      const user = context.positional(0, "user");
      const linked = await (await context.target()).admin.linkIdentity(
        user,
        identityOf(context, "users link"),
      );
      if (context.out.json) context.out.data(linked);
      else context.out.done(`${user} is linked to ${linked.subject} at ${linked.issuer}`);
      return EXIT_CODES.ok;
    },
  },
  {
    name: "users unlink",
    summary: "Unlink an identity from a user",
    usage: "<user> --issuer <url> --subject <value>",
    maxPositionals: 1,
    options: identityOptions,
    async run(context) {
      const user = context.positional(0, "user");
      const identity = identityOf(context, "users unlink");
      if (!(await (await context.target()).admin.unlinkIdentity(user, identity))) {
        context.out.error(`${user} is not linked to ${identity.subject} at ${identity.issuer}.`);
        return EXIT_CODES.notFound;
      }
      context.out.done(`${user} is no longer linked to ${identity.subject} at ${identity.issuer}`);
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
