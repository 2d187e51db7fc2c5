import type { Grant } from "@writ/core";
import { canonicalJson } from "@writ/core/backend";
import type { Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { grantArgument } from "../grant-argument.js";
import { found } from "./user-commands.js";

/** Grants in `more` not already in `grants` (compared as canonical JSON). */
function merged(
  grants: readonly Grant[],
  more: readonly Grant[],
): { all: Grant[]; added: Grant[] } {
  const seen = new Set(grants.map((grant) => canonicalJson(grant)));
  const added = more.filter((grant) => !seen.has(canonicalJson(grant)));
  return { all: [...grants, ...added], added };
}

export const grantCommand: Command = {
  name: "grant",
  summary: "Add grants to a user (or with --role, to a role), keeping those it has",
  usage: '<user> "<grants>"   |   writ grant --role <role> "<grants>"',
  maxPositionals: 2,
  options: {
    role: { type: "string", value: "role", description: "Add to this role instead of a user." },
  },
  async run(context) {
    const { out, string } = context;
    const { admin } = await context.target();
    const role = string("role");
    const text = context.positional(role === undefined ? 1 : 0, "grants");
    const more = grantArgument(text);
    if (role !== undefined) {
      const existing = await found(context, await admin.getRole(role), "role", role);
      const { all, added } = merged(existing.permissions, more);
      if (added.length > 0)
        await admin.putRole({
          id: role,
          permissions: all,
          ...(existing.tenant ? { tenant: existing.tenant } : {}),
        });
      out.done(
        added.length > 0
          ? `role ${role} now also grants ${out.grants(added)}`
          : `role ${role} already grants that`,
      );
      return EXIT_CODES.ok;
    }
    const id = context.positional(0, "user");
    const user = await found(context, await admin.getUser(id), "user", id);
    const { all, added } = merged(user.permissions, more);
    if (added.length > 0) await admin.setUserPermissions(id, all);
    out.done(
      added.length > 0 ? `${id} now also holds ${out.grants(added)}` : `${id} already holds that`,
    );
    return EXIT_CODES.ok;
  },
};
