// google-apis.ts: the two Google API calls the tools make, each with the token it is handed.

/** A plain-text message as Gmail's `raw` field takes it: RFC 2822, base64url. */
export function encodeMessage(message: { to: string; subject: string; body: string }): string {
  const lines = [`To: ${message.to}`, `Subject: ${message.subject}`, "", message.body];
  return Buffer.from(lines.join("\r\n")).toString("base64url");
}

/** The user's events on `day` (YYYY-MM-DD) in their primary calendar, one line each. */
export async function listEvents(day: string, authorization: string): Promise<string> {
  const url = new URL("https://www.googleapis.com/calendar/v3/calendars/primary/events");
  url.searchParams.set("timeMin", `${day}T00:00:00Z`);
  url.searchParams.set("timeMax", `${day}T23:59:59Z`);
  const response = await fetch(url, { headers: { authorization } });
  if (!response.ok) return `Google Calendar answered ${response.status}`;
  const { items = [] } = (await response.json()) as { items?: { summary?: string }[] };
  return items.map((event) => event.summary ?? "(no title)").join("\n");
}
