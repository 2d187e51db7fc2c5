import { userInfo } from "node:os";
import { type RevocationKind, Writ } from "@writ/core";
import { REVOCATION_KINDS } from "@writ/core/backend";
import type { Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";
import { writArgument } from "./writ-argument.js";

const KINDS = ["hop", "agent", "user", "key", "issuer-key", "api-key", "writ"];

export const revokeCommand: Command = {
  name: "revoke",
  summary:
    "Revoke permanently: a hop (and all below it), an agent, a user, a key, an issuer key, an API key, or a writ's leaf hop",
  usage:
    "<hop|agent|user|key|issuer-key|api-key> <id> [--reason <text>]   |   writ revoke writ <writ|file|->",
  maxPositionals: 2,
  options: { reason: { type: "string", value: "text", description: "Why (kept in the ledger)." } },
  async run(context) {
    const { out, string } = context;
    const given = context.positional(0, "kind");
    if (!KINDS.includes(given))
      throw new UsageError(`Unknown kind "${given}": use one of ${KINDS.join(", ")}.`, "revoke");
    let kind = given.replace("-", "_") as RevocationKind | "writ";
    let id = context.positional(1, given === "writ" ? "writ" : "id");
    if (kind === "writ") {
      id = Writ.parse(await writArgument(context, id)).leaf.claims.jti;
      kind = "hop";
    }
    if (!REVOCATION_KINDS.includes(kind))
      throw new UsageError(`Unknown kind "${given}".`, "revoke");
    const reason = string("reason");
    const revocation = await (await context.target()).admin.revoke({
      kind,
      id,
      ...(reason === undefined ? {} : { reason }),
      // Through a running server the API key is recorded instead.
      by: `cli:${userInfo().username}`,
    });
    out.done(
      `revoked ${revocation.kind.replace("_", " ")} ${revocation.id} (change ${revocation.seq}); every watching guard refuses it now`,
    );
    return EXIT_CODES.ok;
  },
};
