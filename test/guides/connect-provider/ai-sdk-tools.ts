// ai-sdk-tools.ts: an AI SDK tool that reads the user's Google Calendar with their token.
import { allowedCall, withWrit } from "@writ/ai-sdk";
import type { Session } from "@writ/core";
import { type ToolSet, tool } from "ai";
import { z } from "zod";
import { broker, guard } from "./broker.js";
import { listEvents } from "./google-apis.js";

/** The calendar tools of one conversation, guarded with its session. */
export function calendarTools(session: Session): ToolSet {
  const tools = withWrit(
    {
      list_events: tool({
        inputSchema: z.object({ day: z.string() }),
        execute: async ({ day }, options) => {
          const token = await broker.getAccessToken(allowedCall(options), "google");
          return listEvents(day, token.authorization);
        },
      }),
    },
    { guard, session, actions: { list_events: "calendar.read" } },
  );
  return tools;
}
