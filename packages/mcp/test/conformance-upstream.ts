import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  CreateMessageResultSchema,
  ElicitResultSchema,
  ListToolsRequestSchema,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { closeServer, loopbackServer } from "./gateway-fixture.js";

/** A 1×1 PNG and a tiny WAV, as the conformance scenarios ask for image and audio content. */
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
const WAV = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

/** The forms the elicitation scenarios expect (SEP-1034 defaults, SEP-1330 enum shapes). */
const ELICITATIONS = {
  test_elicitation: {
    type: "object",
    properties: { response: { type: "string", description: "Your answer" } },
    required: ["response"],
  },
  test_elicitation_sep1034_defaults: {
    type: "object",
    properties: {
      name: { type: "string", default: "John Doe" },
      age: { type: "integer", default: 30 },
      score: { type: "number", default: 95.5 },
      status: { type: "string", enum: ["active", "inactive", "pending"], default: "active" },
      verified: { type: "boolean", default: true },
    },
  },
  test_elicitation_sep1330_enums: {
    type: "object",
    properties: {
      untitledSingle: { type: "string", enum: ["option1", "option2", "option3"] },
      titledSingle: {
        type: "string",
        oneOf: [
          { const: "value1", title: "First Option" },
          { const: "value2", title: "Second Option" },
        ],
      },
      legacyEnum: {
        type: "string",
        enum: ["opt1", "opt2", "opt3"],
        enumNames: ["Option One", "Option Two", "Option Three"],
      },
      untitledMulti: {
        type: "array",
        items: { type: "string", enum: ["option1", "option2", "option3"] },
      },
      titledMulti: {
        type: "array",
        items: {
          anyOf: [
            { const: "value1", title: "First Choice" },
            { const: "value2", title: "Second Choice" },
          ],
        },
      },
    },
  },
};

type Extra = Parameters<Parameters<Server["setRequestHandler"]>[1]>[1];
type Handler = (args: Record<string, unknown>, extra: Extra) => Promise<CallToolResult>;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const text = (value: string): CallToolResult => ({ content: [{ type: "text", text: value }] });
const noArguments = { type: "object" as const, properties: {} };

/** The tools the @modelcontextprotocol/conformance server scenarios call, as they describe them. */
const TOOLS: readonly (Tool & { readonly run: Handler })[] = [
  {
    name: "test_simple_text",
    description: "Returns one text block.",
    inputSchema: noArguments,
    run: async () => text("This is a simple text response for testing."),
  },
  {
    name: "test_image_content",
    description: "Returns an image.",
    inputSchema: noArguments,
    run: async () => ({ content: [{ type: "image", data: PNG, mimeType: "image/png" }] }),
  },
  {
    name: "test_audio_content",
    description: "Returns audio.",
    inputSchema: noArguments,
    run: async () => ({ content: [{ type: "audio", data: WAV, mimeType: "audio/wav" }] }),
  },
  {
    name: "test_embedded_resource",
    description: "Returns an embedded resource.",
    inputSchema: noArguments,
    run: async () => ({
      content: [
        {
          type: "resource",
          resource: { uri: "test://embedded-resource", mimeType: "text/plain", text: "Embedded." },
        },
      ],
    }),
  },
  {
    name: "test_multiple_content_types",
    description: "Returns text, an image and a resource.",
    inputSchema: noArguments,
    run: async () => ({
      content: [
        { type: "text", text: "Multiple content types test:" },
        { type: "image", data: PNG, mimeType: "image/png" },
        {
          type: "resource",
          resource: {
            uri: "test://mixed-content-resource",
            mimeType: "application/json",
            text: JSON.stringify({ test: "data", value: 123 }),
          },
        },
      ],
    }),
  },
  {
    name: "test_tool_with_logging",
    description: "Logs three messages while it runs.",
    inputSchema: noArguments,
    run: async (_args, extra) => {
      for (const data of [
        "Tool execution started",
        "Tool processing data",
        "Tool execution completed",
      ]) {
        await extra.sendNotification({
          method: "notifications/message",
          params: { level: "info", data },
        });
        await pause(50);
      }
      return text("Tool with logging executed successfully");
    },
  },
  {
    name: "test_tool_with_progress",
    description: "Reports progress 0, 50 and 100 of 100.",
    inputSchema: noArguments,
    run: async (_args, extra) => {
      const progressToken = extra._meta?.progressToken;
      for (const progress of [0, 50, 100]) {
        if (progressToken !== undefined) {
          await extra.sendNotification({
            method: "notifications/progress",
            params: { progressToken, progress, total: 100 },
          });
        }
        await pause(50);
      }
      return text("Progress reported.");
    },
  },
  {
    name: "test_error_handling",
    description: "Always fails.",
    inputSchema: noArguments,
    run: async () => ({
      content: [{ type: "text", text: "This tool intentionally returns an error for testing" }],
      isError: true,
    }),
  },
  {
    name: "test_reconnection",
    description: "Answers after a short pause.",
    inputSchema: noArguments,
    run: async () => {
      await pause(100);
      return text("Reconnection test completed.");
    },
  },
  {
    name: "test_sampling",
    description: "Asks the client for an LLM completion.",
    inputSchema: {
      type: "object",
      properties: { prompt: { type: "string" } },
      required: ["prompt"],
    },
    run: async (args, extra) => {
      const result = await extra.sendRequest(
        {
          method: "sampling/createMessage",
          params: {
            messages: [{ role: "user", content: { type: "text", text: String(args.prompt) } }],
            maxTokens: 100,
          },
        },
        CreateMessageResultSchema,
      );
      return text(`LLM response: ${JSON.stringify(result)}`);
    },
  },
  ...Object.entries(ELICITATIONS).map(([name, requestedSchema]) => ({
    name,
    description: "Asks the user for input.",
    inputSchema: noArguments,
    run: (async (_args, extra) => {
      const result = await extra.sendRequest(
        {
          method: "elicitation/create",
          params: { message: "Please provide your information", requestedSchema },
        },
        ElicitResultSchema,
      );
      return text(`User response: ${result.action}`);
    }) satisfies Handler,
  })),
  {
    name: "json_schema_2020_12_tool",
    description: "Has an input schema with JSON Schema 2020-12 keywords.",
    inputSchema: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      $defs: {
        address: {
          type: "object",
          properties: { street: { type: "string" }, city: { type: "string" } },
        },
      },
      properties: { name: { type: "string" }, address: { $ref: "#/$defs/address" } },
      additionalProperties: false,
    },
    run: async () => text("ok"),
  },
];

/**
 * A Streamable HTTP MCP server on loopback with the conformance scenarios'
 * tools, for running the scenarios against the gateway in front of it.
 */
export async function conformanceUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const { server, origin } = await loopbackServer();
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  server.on("request", async (req, res) => {
    const id = req.headers["mcp-session-id"];
    const known = typeof id === "string" ? sessions.get(id) : undefined;
    if (known) return known.handleRequest(req, res);
    // Stateful, so the server knows the client's capabilities when a tool asks it for something.
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (sessionId) => void sessions.set(sessionId, transport),
    });
    await toolServer().connect(transport);
    await transport.handleRequest(req, res);
  });
  return {
    url: `${origin}/mcp`,
    async close() {
      await Promise.allSettled([...sessions.values()].map((transport) => transport.close()));
      await closeServer(server);
    },
  };
}

function toolServer(): Server {
  const mcp = new Server(
    { name: "conformance-upstream", version: "1.0.0" },
    { capabilities: { tools: {}, logging: {} } },
  );
  mcp.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: TOOLS.map(({ run: _run, ...tool }) => tool),
  }));
  mcp.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = TOOLS.find(({ name }) => name === request.params.name);
    if (!tool) return { content: [{ type: "text", text: "Unknown tool." }], isError: true };
    try {
      return await tool.run(request.params.arguments ?? {}, extra);
    } catch (error) {
      return { content: [{ type: "text", text: String(error) }], isError: true };
    }
  });
  return mcp;
}
