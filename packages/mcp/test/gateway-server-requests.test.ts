import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import type { UpstreamConfig } from "../src/index.js";
import { askingServer } from "./asking-upstream.js";
import { gatewayWorld } from "./gateway-fixture.js";
import { type ClientAnswers, SDKS, type TestClient, type ToolResult } from "./sdk-generations.js";

const ASKING = fileURLToPath(new URL("./fixtures/asking-server.mjs", import.meta.url));
const [V1] = SDKS.filter((sdk) => sdk.generation === "v1");

function textOf(result: ToolResult): string {
  return result.content?.[0]?.text ?? "";
}

/** A gateway in front of `upstream` (named `ask`), with a function connecting SDK clients to it. */
async function gateway(upstream: () => UpstreamConfig | Promise<UpstreamConfig>) {
  const config = await upstream();
  const w = await gatewayWorld({
    permissions: "ask.*",
    policy: "ask.*",
    upstreams: () => ({ ask: config }),
  });
  onTestFinished(() => w.close());
  return {
    w,
    async client(sdk: (typeof SDKS)[number], answers: ClientAnswers = {}): Promise<TestClient> {
      const { connectWithWrit } = await import("../src/index.js");
      const client = sdk.client("caller", answers);
      await connectWithWrit(client, w.url, { session: w.session });
      onTestFinished(() => client.close());
      return client;
    },
  };
}

const samplesAs = (answer: string): ClientAnswers => ({
  sampling: async () => ({
    role: "assistant",
    content: { type: "text", text: answer },
    model: "test",
  }),
});

describe.runIf(V1)(
  "what an upstream asks of callers through the gateway (HTTP upstream, 2025-11-25 sessions)",
  () => {
    for (const caller of SDKS) {
      it(`reaches the caller (SDK ${caller.generation}) it is for, asked outside any request or within the call`, async () => {
        const served = await V1?.serveHttp(() => askingServer(V1));
        onTestFinished(() => served?.close());
        const { client } = await gateway(() => ({ url: served?.url ?? "" }));
        const alice = await client(caller, samplesAs("from alice"));
        const bob = await client(caller, samplesAs("from bob"));
        const answers = await Promise.all([
          alice.callTool({ name: "ask_outside", arguments: { prompt: "who?" } }),
          bob.callTool({ name: "ask_outside", arguments: { prompt: "who?" } }),
          alice.callTool({ name: "ask_within", arguments: { prompt: "who?" } }),
          bob.callTool({ name: "ask_within", arguments: { prompt: "who?" } }),
        ]);
        expect(answers.map(textOf)).toEqual(["from alice", "from bob", "from alice", "from bob"]);
      });
    }

    it("tells the upstream only the capabilities the caller declared, and relays its roots", async () => {
      const served = await V1?.serveHttp(() => askingServer(V1));
      onTestFinished(() => served?.close());
      const { client } = await gateway(() => ({ url: served?.url ?? "" }));
      const plain = await client(V1 as (typeof SDKS)[number]);
      expect(
        JSON.parse(textOf(await plain.callTool({ name: "client_capabilities", arguments: {} }))),
      ).toEqual({});
      const refused = await plain.callTool({ name: "ask_outside", arguments: { prompt: "?" } });
      expect(refused.isError).toBe(true);
      const rooted = await client(V1 as (typeof SDKS)[number], {
        ...samplesAs("ok"),
        roots: [{ uri: "file:///srv/project", name: "project" }],
      });
      expect(
        JSON.parse(textOf(await rooted.callTool({ name: "client_capabilities", arguments: {} }))),
      ).toEqual({
        sampling: {},
        roots: {},
      });
      expect(
        JSON.parse(textOf(await rooted.callTool({ name: "list_roots", arguments: {} }))),
      ).toEqual({
        roots: [{ uri: "file:///srv/project", name: "project" }],
      });
    });
  },
);

describe.runIf(V1)("a stdio upstream", () => {
  const asking: UpstreamConfig = { command: process.execPath, args: [ASKING], stderr: "ignore" };

  it("started per caller session, asks each caller its own questions and sees its capabilities", async () => {
    const { client } = await gateway(() => ({ ...asking, perSession: true }));
    const alice = await client(V1 as (typeof SDKS)[number], samplesAs("from alice"));
    const bob = await client(V1 as (typeof SDKS)[number], samplesAs("from bob"));
    const answers = await Promise.all([
      alice.callTool({ name: "ask_outside", arguments: { prompt: "who?" } }),
      bob.callTool({ name: "ask_outside", arguments: { prompt: "who?" } }),
    ]);
    expect(answers.map(textOf)).toEqual(["from alice", "from bob"]);
    expect(
      JSON.parse(textOf(await alice.callTool({ name: "client_capabilities", arguments: {} }))),
    ).toEqual({
      sampling: {},
    });
  });

  it("shared by every caller, is offered no client capabilities, since it could not tell callers apart", async () => {
    const { client } = await gateway(() => asking);
    const alice = await client(V1 as (typeof SDKS)[number], samplesAs("from alice"));
    expect(
      JSON.parse(textOf(await alice.callTool({ name: "client_capabilities", arguments: {} }))),
    ).toEqual({});
    expect(
      (await alice.callTool({ name: "ask_outside", arguments: { prompt: "?" } })).isError,
    ).toBe(true);
  });
});
