import { ToolNode } from "@langchain/langgraph/prebuilt";
import { type AllowDecision, isWritError } from "@writ/core";
import { AIMessage, createAgent, fakeModel, tool } from "langchain";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { allowedCall, withWrit, writMiddleware, writSession } from "../src/index.js";
import { createWorld, type World } from "./world.js";

/** An email tool that, as a real one would, asks for the allowed call to get the user's provider token. */
function emailTool(world: World, seen: unknown[]) {
  return tool(
    async ({ to }, config) => {
      const decision = allowedCall(config);
      // What the credential broker checks before it hands out a token.
      seen.push({ decision, check: world.guard.checkCall(decision) });
      return `sent to ${to}`;
    },
    { name: "send_email", description: "Send an email.", schema: z.object({ to: z.string() }) },
  );
}

const send = (id: string) => [{ name: "send_email", args: { to: "bob@example.com" }, id }];

describe("allowedCall", () => {
  it("gives a tool run by writMiddleware its running call's allow decision", async () => {
    const world = await createWorld();
    const seen: { decision: AllowDecision; check: { valid: boolean } }[] = [];
    const model = fakeModel().respondWithTools(send("call-7")).respond(new AIMessage("Sent."));
    const agent = createAgent({
      model,
      tools: [emailTool(world, seen)],
      middleware: [writMiddleware({ guard: world.guard, actions: { send_email: "email.send" } })],
    });
    await agent.invoke(
      { messages: [{ role: "user", content: "Email Bob." }] },
      { context: { writSession: world.session } },
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]?.decision).toMatchObject({
      effect: "allow",
      callId: "call-7",
      action: "email.send",
      user: "alice",
    });
    expect(seen[0]?.check.valid).toBe(true);
    // Once the tool returned, the call is over: its decision no longer serves.
    expect(world.guard.checkCall(seen[0]?.decision as AllowDecision)).toMatchObject({
      valid: false,
      code: "credential.outside_call",
    });
  });

  it("gives a withWrit tool in a ToolNode its call, and refuses outside a guarded call", async () => {
    const world = await createWorld();
    const seen: { decision: AllowDecision; check: { valid: boolean } }[] = [];
    const [guarded] = withWrit([emailTool(world, seen)], {
      guard: world.guard,
      actions: { send_email: "email.send" },
    });
    const node = new ToolNode(guarded ? [guarded] : []);
    await node.invoke(
      { messages: [new AIMessage({ content: "", tool_calls: send("call-9") })] },
      { configurable: { writSession: world.session } },
    );
    expect(seen.map(({ decision, check }) => [decision.callId, check.valid])).toEqual([
      ["call-9", true],
    ]);

    const unguarded: unknown[] = [];
    const plain = emailTool(world, unguarded);
    const error = await plain
      .invoke(
        { name: "send_email", args: { to: "bob@example.com" }, id: "call-10", type: "tool_call" },
        { context: { writSession: world.session } } as never,
      )
      .catch((caught: unknown) => caught);
    expect(isWritError(error) && error.code).toBe("credential.outside_call");
    expect(unguarded).toEqual([]);
  });
});

describe("writSession", () => {
  it("gives a tool the session of the agent running it, from its runtime or config", async () => {
    const world = await createWorld();
    const seen: unknown[] = [];
    const whoAmI = tool(
      async (_, runtime) => {
        seen.push(writSession(runtime));
        return "ok";
      },
      { name: "send_email", description: "Who am I?", schema: z.object({ to: z.string() }) },
    );
    await createAgent({
      model: fakeModel().respondWithTools(send("call-1")).respond(new AIMessage("Done.")),
      tools: [whoAmI],
      middleware: [writMiddleware({ guard: world.guard, actions: { send_email: "email.send" } })],
    }).invoke(
      { messages: [{ role: "user", content: "Email Bob." }] },
      { context: { writSession: world.session } },
    );
    const node = new ToolNode(
      withWrit([whoAmI], { guard: world.guard, actions: { send_email: "email.send" } }),
    );
    await node.invoke(
      { messages: [new AIMessage({ content: "", tool_calls: send("call-2") })] },
      { configurable: { writSession: world.session } },
    );
    expect(seen).toEqual([world.session, world.session]);
    expect(() => writSession({ context: {} })).toThrow(
      /invoke with \{ context: \{ writSession \} \}/,
    );
    const other = world.session.delegate(world.worker, { grants: "email.send" });
    expect(() =>
      writSession({
        context: { writSession: world.session },
        configurable: { writSession: other },
      }),
    ).toThrow(/different sessions/);
  });
});
