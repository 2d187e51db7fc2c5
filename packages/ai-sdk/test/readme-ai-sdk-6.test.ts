import { describe, expect, it } from "vitest";
import { call, say, scriptedModel } from "./model.js";
import { perCallSessionOn6 } from "./readme/ai-sdk-6.js";
import { AI_SDK_MAJOR } from "./sdk-version.js";
import { createWorld } from "./world.js";

// experimental_context carries the session on AI SDK 6 only: this runs in the ai@6 job.
describe.runIf(AI_SDK_MAJOR === 6)("the README's AI SDK 6 code", () => {
  it("gives a shared set its session per call in experimental_context", async () => {
    const { guard, session } = await createWorld();
    const model = scriptedModel([call("approve_refund", { amount: 20 }), say("Done.")]);
    expect(await perCallSessionOn6(guard, session, model)).toEqual([20]);
  });
});
