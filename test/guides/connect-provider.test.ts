import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { createAgentIdentity, type Session, Session as WritSession } from "@writ/core";
import { withWrit } from "@writ/mcp";
import { AIMessage, fakeModel } from "langchain";
import { describe, expect, it, onTestFinished, vi } from "vitest";

describe("docs/guide-connect-provider.md", () => {
  it("tries it locally: connects, gives an allowed call a narrowed token, re-wraps, disconnects", async () => {
    const printed: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...values: unknown[]) => {
      printed.push(values.map(String).join(" "));
    });
    try {
      await import("./connect-provider/try-it-locally.js");
    } finally {
      log.mockRestore();
    }
    expect(printed).toEqual([
      "connected: calendar.read mail.send",
      "allowed, with a token for: mail.send",
      "re-wrapped: 2",
      "disconnected, revoked at the provider: true",
    ]);
  });

  it("wires the app's broker into the server, the connect routes and each adapter's tools", async () => {
    // As the guide's steps 2 and 3 set them up; Google is never reached.
    const folder = mkdtempSync(join(tmpdir(), "writ-guide-connect-"));
    const cwd = process.cwd();
    process.chdir(folder);
    vi.stubEnv("WRIT_BROKER_KEK", `k1:${randomBytes(32).toString("base64")}`);
    vi.stubEnv("GOOGLE_CLIENT_ID", "mail-assistant");
    vi.stubEnv("GOOGLE_CLIENT_SECRET", "not-a-secret");
    onTestFinished(() => {
      process.chdir(cwd);
      vi.unstubAllEnvs();
      rmSync(folder, { recursive: true, force: true });
    });
    const { broker, guard, store } = await import("./connect-provider/broker.js");
    const { operator, server } = await import("./connect-provider/server.js");
    onTestFinished(async () => {
      await server.close();
      await guard.close();
      await store.close();
    });
    const mailer = createAgentIdentity("mailer");
    await store.putUser({ id: "alice", permissions: "email.*; calendar.read" });
    await store.putAgent({ id: "mailer", policy: "email.send; calendar.read", keys: [mailer] });
    const session: Session = new WritSession(
      mailer,
      await store.issue({ user: "alice", agent: "mailer" }),
    );

    // The server's connection routes answer for the store's users.
    const listed = await server.fetch(
      new Request("http://writ.test/v1/users/alice/connections", {
        headers: { authorization: `Bearer ${operator.key}` },
      }),
    );
    expect(await listed.json()).toEqual({ connections: [] });

    // A callback that no flow of this user started is refused, and the app says why.
    const { connectionRoutes } = await import("./connect-provider/web-app.js");
    const app = connectionRoutes(() => "alice");
    const forged = await app.request("/connections/google/callback?state=forged&code=stolen");
    expect(forged.headers.get("location")).toBe("/settings?connect_error=credential.state_invalid");

    // Each adapter's tool reaches the broker inside its allowed call: Alice has not connected.
    const notConnected = { code: "credential.not_connected" };
    const { runMailAgent } = await import("./connect-provider/langchain-tools.js");
    const model = fakeModel()
      .respondWithTools([
        { name: "send_email", args: { to: "bob@example.com", subject: "Hi", body: "…" } },
      ])
      .respond(new AIMessage("Done."));
    await expect(runMailAgent(model, session, "Email Bob.")).rejects.toMatchObject(notConnected);

    const { calendarTools } = await import("./connect-provider/ai-sdk-tools.js");
    const listEvents = calendarTools(session).list_events;
    await expect(
      listEvents?.execute?.(
        { day: "2026-12-06" },
        { toolCallId: "call-1", messages: [], context: {} },
      ),
    ).rejects.toMatchObject(notConnected);

    const mcp = await import("./connect-provider/mcp-tools.js");
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await mcp.server.connect(serverSide);
    const client = withWrit(new Client({ name: "agent", version: "1.0.0" }), {
      session,
      audience: "urn:writ:mail-assistant",
    });
    await client.connect(clientSide);
    onTestFinished(() => client.close());
    const called = await client.callTool({ name: "list_events", arguments: { day: "2026-12-06" } });
    expect(called.isError).toBe(true);
    expect(JSON.stringify(called.content)).toContain("not connected");
    expect(await broker.listConnections("alice")).toEqual([]);
  });
});
