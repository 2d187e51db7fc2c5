import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  CompleteRequestSchema,
  CreateMessageResultSchema,
  ElicitResultSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  type Tool,
  UnsubscribeRequestSchema,
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

/** The resources, templates and prompts the conformance scenarios read and get, as they describe them. */
const RESOURCES = [
  { uri: "test://static-text", name: "static-text", mimeType: "text/plain" },
  { uri: "test://static-binary", name: "static-binary", mimeType: "image/png" },
  { uri: "test://watched-resource", name: "watched-resource", mimeType: "text/plain" },
];
const TEMPLATE = {
  uriTemplate: "test://template/{id}/data",
  name: "template",
  mimeType: "application/json",
};
const PROMPTS = [
  { name: "test_simple_prompt", description: "A prompt without arguments." },
  {
    name: "test_prompt_with_arguments",
    description: "A prompt with two arguments.",
    arguments: [
      { name: "arg1", description: "First test argument", required: true },
      { name: "arg2", description: "Second test argument", required: true },
    ],
  },
  {
    name: "test_prompt_with_embedded_resource",
    description: "A prompt embedding a resource.",
    arguments: [
      { name: "resourceUri", description: "URI of the resource to embed", required: true },
    ],
  },
  { name: "test_prompt_with_image", description: "A prompt with an image." },
];

function readResource(uri: string) {
  if (uri === "test://static-text") {
    return {
      uri,
      mimeType: "text/plain",
      text: "This is the content of the static text resource.",
    };
  }
  if (uri === "test://static-binary") return { uri, mimeType: "image/png", blob: PNG };
  if (uri === "test://watched-resource")
    return { uri, mimeType: "text/plain", text: "Watched resource content" };
  const id = /^test:\/\/template\/([^/]+)\/data$/.exec(uri)?.[1];
  if (id !== undefined) {
    return {
      uri,
      mimeType: "application/json",
      text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
    };
  }
  throw new McpError(-32002, `Resource ${uri} not found.`);
}

function getPrompt(name: string, args: Record<string, string>) {
  const user = (content: unknown) => ({ role: "user", content });
  switch (name) {
    case "test_simple_prompt":
      return { messages: [user({ type: "text", text: "This is a simple prompt for testing." })] };
    case "test_prompt_with_arguments":
      return {
        messages: [
          user({
            type: "text",
            text: `Prompt with arguments: arg1='${args.arg1}', arg2='${args.arg2}'`,
          }),
        ],
      };
    case "test_prompt_with_embedded_resource":
      return {
        messages: [
          user({
            type: "resource",
            resource: {
              uri: args.resourceUri,
              mimeType: "text/plain",
              text: "Embedded resource content for testing.",
            },
          }),
          user({ type: "text", text: "Please process the embedded resource above." }),
        ],
      };
    case "test_prompt_with_image":
      return {
        messages: [
          user({ type: "image", data: PNG, mimeType: "image/png" }),
          user({ type: "text", text: "Please analyze the image above." }),
        ],
      };
  }
  throw new McpError(-32602, `Prompt ${name} not found.`);
}

/**
 * A Streamable HTTP MCP server on loopback with what the conformance
 * scenarios exercise (tools, resources, templates, subscriptions, prompts,
 * completions, logging), for running the scenarios against it directly and
 * through the gateway in front of it. Like any local server it serves only
 * its own Host (DNS rebinding protection).
 */
export async function conformanceUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const { server, origin } = await loopbackServer();
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const host = new URL(origin).host;
  server.on("request", async (req, res) => {
    if (req.headers.host !== host) {
      res.writeHead(403, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          jsonrpc: "2.0",
          error: { code: -32000, message: "Forbidden Host." },
          id: null,
        }),
      );
      return;
    }
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
    {
      capabilities: {
        tools: {},
        logging: {},
        resources: { subscribe: true, listChanged: true },
        prompts: {},
        completions: {},
      },
    },
  );
  const subscribed = new Set<string>();
  mcp.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: RESOURCES }));
  mcp.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [TEMPLATE],
  }));
  mcp.setRequestHandler(ReadResourceRequestSchema, (request) => ({
    contents: [readResource(request.params.uri)],
  }));
  mcp.setRequestHandler(SubscribeRequestSchema, (request) => {
    subscribed.add(request.params.uri);
    return {};
  });
  mcp.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });
  mcp.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: PROMPTS }));
  mcp.setRequestHandler(GetPromptRequestSchema, (request) =>
    getPrompt(request.params.name, request.params.arguments ?? {}),
  );
  mcp.setRequestHandler(CompleteRequestSchema, (request) => {
    const values = ["paris", "park", "party"].filter((value) =>
      value.startsWith(request.params.argument.value),
    );
    return { completion: { values, total: values.length, hasMore: false } };
  });
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
