import { AIMessage, createAgent, fakeModel, ToolMessage, tool } from "langchain";
import { z } from "zod";
import {
  type AdapterHarness,
  type ConformanceResult,
  describeAdapterConformance,
} from "../../../test/adapters/adapter-conformance.js";
import { sqliteTestBackend } from "../../../test/support/sqlite-test-backend.js";
import { writMiddleware } from "../src/index.js";

/** One tool call through a real createAgent run, with a scripted model. */
const harness: AdapterHarness = {
  adapter: "langchain",
  async invoke(call): Promise<ConformanceResult> {
    const body = tool(async (args) => call.execute(args), {
      name: call.tool,
      description: "The conformance suite's tool.",
      schema: z.object({ amount: z.number() }),
    });
    const model = fakeModel()
      .respondWithTools([{ name: call.tool, args: call.args, id: "conformance-call" }])
      .respond(new AIMessage("Done."));
    const agent = createAgent({
      model,
      tools: [body],
      middleware: [writMiddleware({ guard: call.guard, actions: { [call.tool]: call.action } })],
    });
    await agent.invoke(
      { messages: [{ role: "user", content: "Go." }] },
      { context: { writSession: call.session } },
    );
    const received = model.calls[1]?.messages.find((message) => ToolMessage.isInstance(message));
    if (!ToolMessage.isInstance(received))
      throw new Error("The model never received a tool result.");
    return { text: received.text, isError: received.status === "error" };
  },
};

describeAdapterConformance(harness, () => sqliteTestBackend());
