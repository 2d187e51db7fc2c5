import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Clock } from "@writ/core";
import type { AgentTokenVerifier } from "../auth/agent-token-verifier.js";
import type { ServerEnv } from "../auth/caller.js";
import type { LiveHub } from "../live/live-hub.js";
import type { WritStore } from "../writ-store.js";

export type WritApp = OpenAPIHono<ServerEnv>;

/** What route handlers share. */
export interface RouteContext {
  readonly store: WritStore;
  readonly hub: LiveHub;
  readonly clock: Clock;
  /** This server's audience: agent tokens must name it. */
  readonly audience: string;
  readonly agentTokens: AgentTokenVerifier;
}

/** Security requirement objects for the OpenAPI document. */
export const API_KEY_SECURITY = [{ apiKey: [] }];
export const AGENT_OR_KEY_SECURITY = [{ apiKey: [] }, { agentSignature: [] }];
