import { createRoute, z } from "@hono/zod-openapi";
import type { LedgerRecord } from "@writ/core";
import type { LiveChange } from "@writ/core/backend";
import { streamSSE } from "hono/streaming";
import { API_KEY_SECURITY, type RouteContext, type WritApp } from "../routes/route-context.js";
import { problemResponses } from "../schemas/common-schemas.js";
import { isVisible, requireScope } from "../tenancy/tenant-access.js";
import type { LedgerTail } from "./ledger-tail.js";

/**
 * What people watch (the console): new ledger rows as they are committed on
 * any instance, and revocations as they land, each only for the caller's
 * tenant. Guards use `/v1/live` instead.
 */
export function registerEventsRoute(app: WritApp, { hub }: RouteContext, tail: LedgerTail): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/events",
      tags: ["Live feed"],
      security: API_KEY_SECURITY,
      summary: "Server-sent events for people: `ledger` (new rows) and `revocation`",
      responses: {
        200: {
          description: "An event stream",
          content: { "text/event-stream": { schema: z.string() } },
        },
        ...problemResponses,
      },
    }),
    (c) => {
      const caller = c.get("caller");
      requireScope(caller, "read");
      c.header("cache-control", "no-store");
      c.header("x-accel-buffering", "no");
      return streamSSE(c, async (sse) => {
        let finish: () => void = () => undefined;
        const finished = new Promise<void>((resolve) => {
          finish = resolve;
        });
        let writing: Promise<unknown> = Promise.resolve();
        const send = (event: string, data: unknown) => {
          writing = writing
            .then(() => sse.writeSSE({ event, data: JSON.stringify(data) }))
            .catch(finish);
        };
        const stopTail = tail.listen((rows: readonly LedgerRecord[]) => {
          const visible = rows.filter((row) => isVisible(caller, row.tenant));
          if (visible.length > 0) send("ledger", { records: visible });
        });
        const stopHub = hub.subscribe(
          {
            tenant: caller.tenant,
            send(event) {
              if (event.type !== "change") return;
              const revocations = event.changes.filter(
                (change): change is Extract<LiveChange, { type: "revocation" }> =>
                  change.type === "revocation",
              );
              if (revocations.length > 0)
                send("revocation", { revocations: revocations.map((change) => change.revocation) });
            },
            close: () => finish(),
          },
          hub.seq,
        );
        send("ready", { at: Date.now() });
        sse.onAbort(() => finish());
        try {
          await finished;
        } finally {
          stopTail();
          stopHub();
        }
      });
    },
  );
}
