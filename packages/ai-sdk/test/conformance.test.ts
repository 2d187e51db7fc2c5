import { systemClock, systemRandom } from "@writ/core";
import { generateText, jsonSchema, type ModelMessage, stepCountIs, type ToolSet, tool } from "ai";
import {
  type AdapterHarness,
  type ConformanceCall,
  type ConformanceResult,
  describeAdapterConformance,
} from "../../../test/adapters/adapter-conformance.js";
import { sqliteTestBackend } from "../../../test/support/sqlite-test-backend.js";
import {
  ADAPTER,
  allowedCall,
  recordApprovalResponses,
  usableTools,
  withWrit,
  writSession,
} from "../src/index.js";
import { call, say, scriptedModel, toolResultSeen } from "./model.js";

const inputSchema = jsonSchema<Record<string, unknown>>({ type: "object" });

/** The call's tool, guarded by withWrit with the session and actions the call names. */
function guardedTools(
  { guard, session, tool: name, actions }: Omit<ConformanceCall, "execute">,
  body: Pick<ToolSet[string], "execute">,
  approver?: string,
): ToolSet {
  return withWrit({ [name]: tool({ inputSchema, ...body }) } as ToolSet, {
    guard,
    session,
    ...(actions === undefined ? {} : { actions }),
    ...(approver === undefined ? {} : { approver }),
  });
}

/** What the model was shown as the tool's result in the step after the call. */
function seen(model: ReturnType<typeof scriptedModel>, step: number): ConformanceResult {
  const output = toolResultSeen(model.doGenerateCalls, step);
  if (output === undefined) throw new Error("The model was shown no tool result.");
  if (output.type === "execution-denied") return { text: output.reason ?? "", isError: true };
  const text =
    "value" in output && typeof output.value === "string" ? output.value : JSON.stringify(output);
  return { text, isError: output.type === "error-text" || output.type === "error-json" };
}

/**
 * Tool calls through generateText: a scripted model calls the tool, and what
 * the harness reports is what the model was shown in its next step.
 */
const harness: AdapterHarness = {
  adapter: ADAPTER,
  async invoke(conformance) {
    const tools = guardedTools(conformance, {
      execute: (input: Record<string, unknown>, options: unknown) =>
        conformance.execute(input, options),
    });
    const model = scriptedModel([call(conformance.tool, conformance.args), say("done")]);
    await generateText({ model, tools, prompt: "Go.", stopWhen: stepCountIs(2) });
    return seen(model, 1);
  },
  async stream(conformance) {
    const tools = guardedTools(conformance, {
      execute: (input: Record<string, unknown>) => conformance.execute(input),
    });
    const model = scriptedModel([call(conformance.tool, conformance.args), say("done")]);
    await generateText({ model, tools, prompt: "Go.", stopWhen: stepCountIs(2) });
    return seen(model, 1);
  },
  async approve(conformance, answer) {
    const tools = guardedTools(
      conformance,
      {
        execute: (input: Record<string, unknown>, options: unknown) =>
          conformance.execute(input, options),
      },
      answer.by,
    );
    const model = scriptedModel([call(conformance.tool, conformance.args), say("done")]);
    const prompt: ModelMessage[] = [{ role: "user", content: "Go." }];
    const first = await generateText({ model, tools, messages: prompt, stopWhen: stepCountIs(2) });
    const request = first.content.find((part) => part.type === "tool-approval-request");
    if (request === undefined) throw new Error("The SDK asked for no approval.");
    const messages: ModelMessage[] = [
      ...prompt,
      ...first.response.messages,
      {
        role: "tool",
        content: [
          {
            type: "tool-approval-response",
            approvalId: request.approvalId,
            approved: answer.approved,
          },
        ],
      },
    ];
    // The SDK acts on a rejection itself: the application records the answer as it resumes.
    await recordApprovalResponses(tools, messages);
    await generateText({ model, tools, messages, stopWhen: stepCountIs(2) });
    return seen(model, 1);
  },
  async offered({ guard, session, tools: names, actions }) {
    const tools = withWrit(
      Object.fromEntries(
        names.map((name) => [name, tool({ inputSchema, execute: async () => "ok" })]),
      ) as ToolSet,
      { guard, session, actions },
    );
    const model = scriptedModel([say("Hello.")]);
    await generateText({ model, tools, prompt: "Hi.", activeTools: usableTools(tools) });
    return (model.doGenerateCalls[0]?.tools ?? []).map((offered) => offered.name);
  },
  helpers: { allowedCall, session: writSession },
};

describeAdapterConformance(harness, () =>
  sqliteTestBackend({ clock: systemClock, random: systemRandom }),
);
