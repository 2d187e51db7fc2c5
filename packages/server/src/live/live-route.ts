import { createRoute, z } from "@hono/zod-openapi";
import { WritError } from "@writ/core";
import { streamSSE } from "hono/streaming";
import { callerBucket } from "../auth/caller.js";
import { API_KEY_SECURITY, type RouteContext, type WritApp } from "../routes/route-context.js";
import { problemResponses } from "../schemas/common-schemas.js";
import { requireScope } from "../tenancy/tenant-access.js";
import type { LiveEvent } from "./live-event.js";

export interface LiveRouteOptions {
  /** Open feeds per API key. */
  readonly maxConnectionsPerCaller: number;
  /** Events queued for one slow client before the server drops it (it resumes by Last-Event-ID). */
  readonly maxQueuedEvents: number;
}

/**
 * The live feed as server-sent events: a snapshot (or, with Last-Event-ID,
 * the changes since), then every change, with heartbeats while the store's
 * feed is alive and a `fault` event when it is not. A tenant's key sees its
 * tenant's users and agents and the revocations that concern them.
 */
export function registerLiveRoute(
  app: WritApp,
  { hub }: RouteContext,
  options: LiveRouteOptions,
): void {
  const open = new Map<string, number>();

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/live",
      tags: ["Live feed"],
      security: API_KEY_SECURITY,
      summary: "Server-sent events: snapshot, change, heartbeat, fault; resume with Last-Event-ID",
      request: {
        headers: z.object({
          "last-event-id": z
            .string()
            .regex(/^\d{1,15}$/)
            .optional(),
        }),
      },
      responses: {
        200: {
          description: "An event stream; each event's id is the store's sequence number",
          content: { "text/event-stream": { schema: z.string() } },
        },
        ...problemResponses,
      },
    }),
    (c) => {
      const caller = c.get("caller");
      requireScope(caller, "guard");
      const who = callerBucket(caller);
      const count = open.get(who) ?? 0;
      if (count >= options.maxConnectionsPerCaller) {
        throw new WritError(
          "request.rate_limited",
          `At most ${options.maxConnectionsPerCaller} live feeds per API key; close one first.`,
        );
      }
      const header = c.req.valid("header")["last-event-id"];
      const lastEventId = header === undefined ? undefined : Number(header);
      c.header("cache-control", "no-store");
      c.header("x-accel-buffering", "no");
      return streamSSE(c, async (sse) => {
        open.set(who, (open.get(who) ?? 0) + 1);
        let finish: () => void = () => undefined;
        const finished = new Promise<void>((resolve) => {
          finish = resolve;
        });
        let writing: Promise<unknown> = Promise.resolve();
        let queued = 0;
        const unsubscribe = hub.subscribe(
          {
            tenant: caller.tenant,
            send(event) {
              // A feed opened with a key revoked since ends at the next event (heartbeats come twice a second).
              if (caller.kind === "api_key" && hub.isRevoked("api_key", caller.keyId))
                return finish();
              if (++queued > options.maxQueuedEvents) return finish();
              writing = writing
                .then(() => sse.writeSSE(message(event)))
                .then(
                  () => queued--,
                  () => finish(),
                );
            },
            close: () => finish(),
          },
          lastEventId,
        );
        sse.onAbort(() => finish());
        try {
          await finished;
        } finally {
          unsubscribe();
          const left = (open.get(who) ?? 1) - 1;
          if (left > 0) open.set(who, left);
          else open.delete(who);
        }
      });
    },
  );
}

function message(event: LiveEvent): { event: string; data: string; id?: string } {
  switch (event.type) {
    case "snapshot":
      return { event: "snapshot", id: String(event.id), data: JSON.stringify(event.snapshot) };
    case "change":
      return {
        event: "change",
        id: String(event.id),
        data: JSON.stringify({ changes: event.changes }),
      };
    case "heartbeat":
      return { event: "heartbeat", data: JSON.stringify({ seq: event.seq, at: event.at }) };
    case "fault":
      return { event: "fault", data: JSON.stringify({ code: event.code, message: event.message }) };
  }
}
