import { systemClock, systemRandom } from "@writ/core";
import { generateText, jsonSchema, stepCountIs, tool } from "ai";
import {
  type AdapterHarness,
  describeAdapterConformance,
} from "../../../test/adapters/adapter-conformance.js";
import { sqliteTestBackend } from "../../../test/support/sqlite-test-backend.js";
import { ADAPTER, withWrit } from "../src/index.js";
import { call, say, scriptedModel, toolResultSeen } from "./model.js";

/**
 * One tool call through generateText: a scripted model calls the tool, and
 * what the harness reports is what the model was shown in its next step.
 */
const harness: AdapterHarness = {
  adapter: ADAPTER,
  async invoke({ guard, session, tool: name, action, args, execute }) {
    const tools = {
      [name]: tool({
        inputSchema: jsonSchema<Record<string, unknown>>({ type: "object" }),
        execute: (input) => execute(input),
      }),
    };
    const model = scriptedModel([call(name, args), say("done")]);
    await generateText({
      model,
      tools: withWrit(tools, { guard, session, actions: { [name]: action } }),
      prompt: "Go.",
      stopWhen: stepCountIs(2),
    });
    const output = toolResultSeen(model.doGenerateCalls, 1);
    if (output === undefined) throw new Error("The model was shown no tool result.");
    const text =
      "value" in output && typeof output.value === "string" ? output.value : JSON.stringify(output);
    return { text, isError: output.type === "error-text" || output.type === "error-json" };
  },
};

describeAdapterConformance(harness, () =>
  sqliteTestBackend({ clock: systemClock, random: systemRandom }),
);
