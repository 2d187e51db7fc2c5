import { type AllowDecision, isWritError } from "@writ/core";
import { generateText, stepCountIs, streamText, tool } from "ai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { allowedCall, withWrit } from "../src/index.js";
import { call, say, scriptedModel } from "./model.js";
import { executionOptions } from "./sdk-version.js";
import { createWorld } from "./world.js";

type Seen = { decision: AllowDecision; valid: boolean };

describe("allowedCall", () => {
  it("gives an execute guarded by withWrit its running call's allow decision", async () => {
    const { guard, session } = await createWorld();
    const seen: Seen[] = [];
    const lookup = tool({
      description: "Look up an order in the shop's API, with the user's token.",
      inputSchema: z.object({ order: z.string() }),
      execute: async ({ order }, options) => {
        const decision = allowedCall(options);
        // What the credential broker checks before it hands out a token.
        seen.push({ decision, valid: guard.checkCall(decision).valid });
        return `order ${order}`;
      },
    });
    await generateText({
      model: scriptedModel([call("lookup_order", { order: "42" }), say("Found it.")]),
      tools: withWrit(
        { lookup_order: lookup },
        { guard, session, actions: { lookup_order: "orders.lookup" } },
      ),
      prompt: "Find order 42.",
      stopWhen: stepCountIs(3),
    });
    expect(seen.map(({ decision, valid }) => [decision.callId, decision.action, valid])).toEqual([
      ["call-1", "orders.lookup", true],
    ]);
    // The call is over once execute returned.
    expect(guard.checkCall(seen[0]?.decision as AllowDecision).valid).toBe(false);
    // Outside a guarded execute there is no call to serve.
    const outside = await Promise.resolve()
      .then(() => lookup.execute?.({ order: "1" }, executionOptions("x")))
      .catch((error: unknown) => error);
    expect(isWritError(outside) && outside.code).toBe("credential.outside_call");
  });

  it("keeps the decision available for the whole of a streaming execute", async () => {
    const { guard, session } = await createWorld();
    const seen: Seen[] = [];
    const tools = withWrit(
      {
        lookup_order: tool({
          inputSchema: z.object({ order: z.string() }),
          async *execute({ order }, options) {
            yield "looking";
            const decision = allowedCall(options);
            seen.push({ decision, valid: guard.checkCall(decision).valid });
            yield `order ${order}`;
          },
        }),
      },
      { guard, session, actions: { lookup_order: "orders.lookup" } },
    );
    const result = streamText({
      model: scriptedModel([call("lookup_order", { order: "7" }), say("Done.")]),
      tools,
      prompt: "Find order 7.",
      stopWhen: stepCountIs(3),
    });
    await result.consumeStream();
    expect(seen.map(({ decision, valid }) => [decision.action, valid])).toEqual([
      ["orders.lookup", true],
    ]);
  });
});
