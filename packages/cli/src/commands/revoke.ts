import { userInfo } from "node:os";
import { type Revocation, type RevocationKind, Writ } from "@writ/core";
import { REVOCATION_KINDS, type StoreAdmin } from "@writ/core/backend";
import { allPages } from "../all-pages.js";
import type { Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";
import { writArgument } from "./writ-argument.js";

/** Who made a revocation, as its ledger row says. */
async function revokedBy(
  admin: Pick<StoreAdmin, "queryLedger">,
  revocation: Revocation,
): Promise<string | undefined> {
  const { records } = await admin.queryLedger({
    kind: "revocation",
    from: revocation.at,
    to: revocation.at + 1,
    limit: 1000,
  });
  const row = records.find((record) => record.detail?.seq === revocation.seq);
  return typeof row?.detail?.by === "string" ? row.detail.by : undefined;
}

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
    const { admin } = await context.target();
    const earlier = (await allPages((page) => admin.listRevocations({ ...page, kind }))).find(
      (revocation) => revocation.id === id,
    );
    const revocation =
      earlier ??
      (await admin.revoke({
        kind,
        id,
        ...(reason === undefined ? {} : { reason }),
        // Through a running server the API key is recorded instead.
        by: `cli:${userInfo().username}`,
      }));
    const what = `${revocation.kind.replace("_", " ")} ${revocation.id}`;
    if (earlier) {
      const by = await revokedBy(admin, earlier);
      if (out.json) out.data({ revocation: earlier, ...(by ? { by } : {}), already: true });
      else
        out.done(
          `${what} was already revoked, ${out.time(earlier.at)}${by ? ` by ${by}` : ""} (change ${earlier.seq}${earlier.reason ? `: ${earlier.reason}` : ""}); nothing changed`,
        );
      return EXIT_CODES.ok;
    }
    if (out.json) out.data({ revocation, already: false });
    else
      out.done(
        `revoked ${what} (change ${revocation.seq}): guards that watch this store refuse it from their next decision`,
      );
    return EXIT_CODES.ok;
  },
};
