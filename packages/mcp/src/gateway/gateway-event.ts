/** What the gateway reports about its upstreams and itself, for logs and metrics. Never holds tokens or arguments. */
export type GatewayEvent =
  | { readonly type: "upstream.connected"; readonly upstream: string; readonly tools: number }
  | {
      readonly type: "upstream.down";
      readonly upstream: string;
      readonly reason: string;
      /** When the next connection attempt is made. */
      readonly retryInMs: number;
      /** The last lines a stdio server wrote to stderr, when it wrote any. */
      readonly stderr?: string;
    }
  | { readonly type: "upstream.hung"; readonly upstream: string }
  | {
      readonly type: "tool.shadowed";
      readonly tool: string;
      readonly upstream: string;
      /** The upstream (earlier in the configuration) whose tool of that name is served. */
      readonly by: string;
    }
  | { readonly type: "tool.unmapped"; readonly tool: string; readonly upstream: string }
  | {
      /**
       * A tool whose `x-mcp-header` annotations are invalid (2026-07-28 asks
       * clients to leave it out), or whose input schema cannot be checked where
       * arguments are validated, is not served.
       */
      readonly type: "tool.invalid";
      readonly tool: string;
      readonly upstream: string;
      readonly reason: string;
    }
  | {
      /** A prompt, resource or template two upstreams share: the one configured first serves it. */
      readonly type: "prompt.shadowed" | "resource.shadowed";
      readonly name: string;
      readonly upstream: string;
      readonly by: string;
    }
  | { readonly type: "gateway.error"; readonly reason: string };
