import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WRIT_META } from "../src/index.js";
import { conformanceUpstream } from "./conformance-upstream.js";
import { type GatewayWorld, gatewayWorld } from "./gateway-fixture.js";
import { SDKS } from "./sdk-generations.js";

const closers: (() => Promise<void>)[] = [];
let w: GatewayWorld;

beforeAll(async () => {
  const upstream = await conformanceUpstream();
  closers.push(upstream.close);
  w = await gatewayWorld({
    // Resources and prompts are actions: the resource's URI and the prompt's arguments are what conditions judge.
    permissions: [
      // Not `startsWith "test://static-"`: a prefix that ends in a URL's host refuses values continuing that host.
      'docs.read(uri == "test://static-text")',
      'docs.read(uri startsWith "test://template/")',
      "prompts.args(arg1 in [hello, hi])",
      "prompts.simple",
    ].join("; "),
    policy: "docs.*; prompts.*",
    closeWith: (close) => closers.push(close),
    upstreams: () => ({
      conformance: {
        url: upstream.url,
        resourceAction: "docs.read",
        prompts: {
          test_prompt_with_arguments: "prompts.args",
          test_simple_prompt: "prompts.simple",
        },
      },
    }),
  });
}, 30_000);

afterAll(async () => {
  await w?.close();
  for (const close of closers.reverse()) await close();
});

describe.each(SDKS)("resources and prompts through the gateway (SDK $generation client)", (sdk) => {
  async function client() {
    const { connectWithWrit } = await import("../src/index.js");
    const connected = sdk.client("reader") as unknown as {
      readResource(params: {
        uri: string;
      }): Promise<{ contents: { text?: string; blob?: string }[] }>;
      subscribeResource(params: { uri: string }): Promise<object>;
      unsubscribeResource(params: { uri: string }): Promise<object>;
      getPrompt(params: {
        name: string;
        arguments?: Record<string, string>;
      }): Promise<{ messages: unknown[] }>;
      listResources(): Promise<{ resources: { uri: string; _meta?: Record<string, unknown> }[] }>;
      listResourceTemplates(): Promise<{ resourceTemplates: { uriTemplate: string }[] }>;
      listPrompts(): Promise<{ prompts: { name: string; _meta?: Record<string, unknown> }[] }>;
      complete(params: object): Promise<{ completion: { values: string[] } }>;
      close(): Promise<void>;
    };
    await connectWithWrit(connected as never, w.url, { session: w.session });
    closers.push(() => connected.close());
    return connected;
  }

  it("reads a resource its writ's URI condition allows, and refuses one outside it without reaching the upstream", async () => {
    const reader = await client();
    const read = await reader.readResource({ uri: "test://static-text" });
    expect(read.contents[0]?.text).toBe("This is the content of the static text resource.");
    const templated = await reader.readResource({ uri: "test://template/7/data" });
    expect(JSON.parse(templated.contents[0]?.text ?? "{}")).toMatchObject({ id: "7" });
    const before = (await w.calls()).length;
    await expect(reader.readResource({ uri: "test://watched-resource" })).rejects.toMatchObject({
      code: -32010,
      data: { [WRIT_META.decision]: { effect: "deny", code: "grant.condition_failed" } },
    });
    const rows = (await w.calls()).slice(before);
    expect(rows.map((row) => [row.kind, row.decision, row.action, row.tool])).toEqual([
      ["decision", "deny", "docs.read", "resources/read"],
    ]);
  });

  it("gets a prompt its arguments' condition allows, refuses other arguments, and lists only usable prompts", async () => {
    const reader = await client();
    const got = await reader.getPrompt({
      name: "test_prompt_with_arguments",
      arguments: { arg1: "hello", arg2: "world" },
    });
    expect(JSON.stringify(got.messages)).toContain("arg1='hello'");
    await expect(
      reader.getPrompt({
        name: "test_prompt_with_arguments",
        arguments: { arg1: "bye", arg2: "x" },
      }),
    ).rejects.toMatchObject({ code: -32010 });
    const listed = await reader.listPrompts();
    expect(listed.prompts.map((prompt) => [prompt.name, prompt._meta?.[WRIT_META.action]])).toEqual(
      [
        ["test_simple_prompt", "prompts.simple"],
        ["test_prompt_with_arguments", "prompts.args"],
      ],
    );
  });

  it("lists the resources and templates of the actions its writ could use, each with its action", async () => {
    const reader = await client();
    expect(
      (await reader.listResources()).resources.map(
        (resource) => resource._meta?.[WRIT_META.action],
      ),
    ).toEqual(["docs.read", "docs.read", "docs.read"]);
    expect(
      (await reader.listResourceTemplates()).resourceTemplates.map(
        (template) => template.uriTemplate,
      ),
    ).toEqual(["test://template/{id}/data"]);
  });

  it("completes where the prompt is usable, and subscribes under the resource's condition", async () => {
    const reader = await client();
    const completed = await reader.complete({
      ref: { type: "ref/prompt", name: "test_prompt_with_arguments" },
      argument: { name: "arg1", value: "pa" },
    });
    expect(completed.completion.values).toEqual(["paris", "park", "party"]);
    await expect(
      reader.complete({
        ref: { type: "ref/prompt", name: "test_prompt_with_image" },
        argument: { name: "x", value: "" },
      }),
    ).rejects.toMatchObject({ code: -32602 });
    if (sdk.generation === "v1") {
      await expect(reader.subscribeResource({ uri: "test://static-text" })).resolves.toEqual({});
      await expect(reader.unsubscribeResource({ uri: "test://static-text" })).resolves.toEqual({});
      await expect(
        reader.subscribeResource({ uri: "test://watched-resource" }),
      ).rejects.toMatchObject({
        code: -32010,
      });
    }
  });
});
