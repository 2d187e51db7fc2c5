import type { Guard, Session, ToolActions } from "@writ/core";
import { describe } from "vitest";
import { z } from "zod";
import {
  type AdapterHarness,
  type ConformanceCall,
  type ConformanceResult,
  describeAdapterConformance,
} from "../../../test/adapters/adapter-conformance.js";
import { sqliteTestBackend } from "../../../test/support/sqlite-test-backend.js";
import { allowedCall, guardMcpServer, WRIT_META, withWrit } from "../src/index.js";
import {
  SDKS,
  type Sdk,
  type TestClient,
  type TestServer,
  type ToolResult,
} from "./sdk-generations.js";

const inputSchema = { amount: z.number() };

/** Tool calls through a guarded McpServer, made by the SDK Client, in one SDK generation. */
function harness(sdk: Sdk): AdapterHarness {
  /**
   * A guarded McpServer with `register`'s tools, and an SDK Client connected to
   * it carrying the session's writ and a fresh proof per call.
   */
  async function connected(
    options: { guard: Guard; session: Session; actions: ToolActions | undefined },
    register: (server: TestServer) => void,
  ): Promise<TestClient> {
    const server = sdk.server("conformance");
    register(server);
    const actions = options.actions === undefined ? {} : { actions: options.actions };
    guardMcpServer(server.sdk, { guard: options.guard, ...actions });
    const client = withWrit(sdk.client("conformance"), {
      session: options.session,
      audience: options.guard.audience,
      ...actions,
    });
    const [clientSide, serverSide] = sdk.linkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    return client;
  }

  function registerCall(call: ConformanceCall): (server: TestServer) => void {
    return (server) =>
      server.registerTool(
        call.tool,
        { description: "The conformance suite's tool.", inputSchema },
        async (args, extra) => {
          const output = await call.execute(args, extra);
          return typeof output === "string"
            ? { content: [{ type: "text", text: output }] }
            : (output as ToolResult);
        },
      );
  }

  return {
    adapter: "mcp",
    async invoke(call) {
      const client = await connected(call, registerCall(call));
      try {
        return seen(await client.callTool({ name: call.tool, arguments: call.args }));
      } finally {
        await client.close();
      }
    },
    errorResult: (text) => ({ content: [{ type: "text", text }], isError: true }),
    /**
     * MCP carries no answer to an approval: the refusal names the request, a
     * human decides it through Writ (an operator, with the guard), and the
     * client retries the call with the request's id.
     */
    async approve(call, answer) {
      const client = await connected(call, registerCall(call));
      try {
        const first = await client.callTool({ name: call.tool, arguments: call.args });
        const decision = first._meta?.[WRIT_META.decision] as { approvalId?: string } | undefined;
        if (decision?.approvalId === undefined)
          throw new Error("The server asked for no approval.");
        await call.guard.decideApproval(decision.approvalId, answer);
        return seen(
          await client.callTool({
            name: call.tool,
            arguments: call.args,
            _meta: { [WRIT_META.approval]: decision.approvalId },
          }),
        );
      } finally {
        await client.close();
      }
    },
    async offered({ guard, session, tools, actions }) {
      const client = await connected({ guard, session, actions }, (server) => {
        for (const name of tools) {
          server.registerTool(name, { inputSchema }, async () => ({ content: [] }));
        }
      });
      try {
        return (await client.listTools()).tools.map((tool) => tool.name);
      } finally {
        await client.close();
      }
    },
    helpers: { allowedCall },
  };
}

function seen(result: ToolResult): ConformanceResult {
  const content = Array.isArray(result.content) ? result.content : [];
  return {
    text: content.map((block) => (block.type === "text" ? (block.text ?? "") : "")).join("\n"),
    isError: result.isError === true,
  };
}

for (const sdk of SDKS) {
  describe(`MCP SDK ${sdk.generation}`, () => {
    describeAdapterConformance(harness(sdk), () => sqliteTestBackend());
  });
}
