import type { Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";

export const keyCommands: Command[] = [
  {
    name: "keys list",
    summary: "The issuer's keys that verify: the active one signs new writs",
    reads: true,
    async run(context) {
      const { out } = context;
      const info = await (await context.target()).issuerKeyInfo();
      if (out.json) out.data(info);
      else {
        out.line(`issuer ${out.colors.bold(info.issuer)}`);
        out.table(
          ["KID", "STATUS"],
          info.keys.map((key) => [
            key.kid,
            key.status === "active" ? out.colors.green(key.status) : key.status,
          ]),
        );
      }
      return EXIT_CODES.ok;
    },
  },
  {
    name: "keys rotate",
    summary: "Make a new issuer key active; writs signed by the old one verify until it is retired",
    async run(context) {
      const kid = await (await context.target()).admin.rotateIssuerKey();
      context.out.done(`issuer key rotated: ${kid} now signs new writs`);
      context.out.note(
        "Remote guards pinned to the old JWKS must refetch it (fetchIssuerKeys().refresh()).",
      );
      return EXIT_CODES.ok;
    },
  },
  {
    name: "keys retire",
    summary: "Stop a rotated-out issuer key from verifying: writs it signed stop working",
    usage: "<kid>",
    maxPositionals: 1,
    async run(context) {
      const kid = context.positional(0, "kid");
      await (await context.target()).admin.retireIssuerKey(kid);
      context.out.done(`issuer key ${kid} retired`);
      return EXIT_CODES.ok;
    },
  },
];
