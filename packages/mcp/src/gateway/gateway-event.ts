/** What the gateway reports about its upstreams and itself, for logs and metrics. Never holds tokens or arguments. */
export type GatewayEvent =
  | { readonly type: "upstream.connected"; readonly upstream: string; readonly tools: number }
  | {
      readonly type: "upstream.down";
      readonly upstream: string;
      readonly reason: string;
      /** When the next connection attempt is made. */
      readonly retryInMs: number;
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
  | { readonly type: "gateway.error"; readonly reason: string };
