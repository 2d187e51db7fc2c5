import { Command, MemorySaver } from "@langchain/langgraph";
import type { ToolActions } from "@writ/core";
import {
  AIMessage,
  createAgent,
  createMiddleware,
  fakeModel,
  type StructuredTool,
  ToolMessage,
  tool,
} from "langchain";
import { z } from "zod";
import {
  type AdapterHarness,
  type ConformanceCall,
  type ConformanceResult,
  describeAdapterConformance,
} from "../../../test/adapters/adapter-conformance.js";
import { sqliteTestBackend } from "../../../test/support/sqlite-test-backend.js";
import { allowedCall, writMiddleware, writSession } from "../src/index.js";

const schema = z.object({ amount: z.number() });
const ask = { messages: [{ role: "user", content: "Go." }] };

type Model = ReturnType<typeof fakeModel>;

function agentFor(
  call: Pick<ConformanceCall, "guard" | "tool" | "args" | "actions">,
  body: StructuredTool,
  model: Model,
) {
  return createAgent({
    model,
    tools: [body],
    middleware: [writMiddleware({ guard: call.guard, ...optional(call.actions) })],
    checkpointer: new MemorySaver(),
  });
}

function optional(actions: ToolActions | undefined) {
  return actions === undefined ? {} : { actions };
}

function modelCalling(call: Pick<ConformanceCall, "tool" | "args">): Model {
  return fakeModel()
    .respondWithTools([{ name: call.tool, args: call.args, id: "conformance-call" }])
    .respond(new AIMessage("Done."));
}

/** The tool message the model received in its second call. */
function seen(model: Model): ConformanceResult {
  const received = model.calls[1]?.messages.find((message) => ToolMessage.isInstance(message));
  if (!ToolMessage.isInstance(received)) throw new Error("The model never received a tool result.");
  return { text: received.text, isError: received.status === "error" };
}

const context = (call: Pick<ConformanceCall, "session">, thread = "conformance") => ({
  context: { writSession: call.session },
  configurable: { thread_id: thread },
});

/** Tool calls through real createAgent runs, with a scripted model. */
const harness: AdapterHarness = {
  adapter: "langchain",
  async invoke(call) {
    const body = tool(async (args, runtime) => call.execute(args, runtime), {
      name: call.tool,
      description: "The conformance suite's tool.",
      schema,
    });
    const model = modelCalling(call);
    await agentFor(call, body, model).invoke(ask, context(call));
    return seen(model);
  },
  async stream(call) {
    const body = tool(
      async function* (args) {
        return yield* call.execute(args);
      },
      {
        name: call.tool,
        description: "The conformance suite's streaming tool.",
        schema,
      },
    );
    const model = modelCalling(call);
    await agentFor(call, body as unknown as StructuredTool, model).invoke(ask, context(call));
    return seen(model);
  },
  errorResult: (text, runtime) =>
    new ToolMessage({
      content: text,
      tool_call_id: (runtime as { toolCallId: string }).toolCallId,
      status: "error",
    }),
  async approve(call, answer) {
    const body = tool(async (args, runtime) => call.execute(args, runtime), {
      name: call.tool,
      description: "The conformance suite's tool.",
      schema,
    });
    const model = modelCalling(call);
    const agent = agentFor(call, body, model);
    const paused = await agent.invoke(ask, context(call));
    if ((paused.__interrupt__ ?? []).length !== 1) throw new Error("The run did not interrupt.");
    const decision = answer.approved
      ? { type: "approve", by: answer.by }
      : { type: "reject", by: answer.by };
    await agent.invoke(new Command({ resume: { decisions: [decision] } }), context(call));
    return seen(model);
  },
  async offered({ guard, session, tools, actions }) {
    const offered: string[] = [];
    const spy = createMiddleware({
      name: "Spy",
      wrapModelCall: (request, handler) => {
        offered.push(...request.tools.map((t) => String((t as { name: unknown }).name)));
        return handler(request);
      },
    });
    await createAgent({
      model: fakeModel().respond(new AIMessage("Hello.")),
      tools: tools.map((name) =>
        tool(async () => "ok", { name, description: `The ${name} tool.`, schema }),
      ),
      middleware: [writMiddleware({ guard, actions }), spy],
    }).invoke(ask, { context: { writSession: session } });
    return offered;
  },
  helpers: { allowedCall, session: writSession },
};

describeAdapterConformance(harness, () => sqliteTestBackend());
