import { createHash, randomUUID } from "node:crypto";
import { type AgentIdentity, type Clock, systemClock } from "@writ/core";
import { signCompactJws } from "@writ/core/backend";

/** `typ` of the actor token in a token exchange. */
export const ACTOR_TOKEN_TYPE = "writ-actor+jwt";
/** `typ` of the token signing an agent's request (`Authorization: WritAgent <token>`). */
export const AGENT_REQUEST_TYPE = "writ-agent+jwt";

export interface AgentTokenOptions {
  /** The Writ server's audience (its `/.well-known/writ-configuration` says which). */
  readonly audience: string;
  /** Lifetime in seconds. Default 60; servers accept at most 300. */
  readonly ttl?: number;
  readonly clock?: Clock;
}

/**
 * The actor token of a token exchange: the agent proves it holds its
 * registered key by signing a short, single-use JWT addressed to the server.
 */
export function createActorToken(agent: AgentIdentity, options: AgentTokenOptions): string {
  return signAgentToken(agent, ACTOR_TOKEN_TYPE, {}, options);
}

/**
 * The Authorization header value for a request an agent signs itself:
 * bound to the method, the path and the SHA-256 of the exact body bytes.
 */
export function signAgentRequest(
  agent: AgentIdentity,
  request: { readonly method: string; readonly path: string; readonly body?: string | Uint8Array },
  options: AgentTokenOptions,
): string {
  const body = request.body ?? new Uint8Array();
  const token = signAgentToken(
    agent,
    AGENT_REQUEST_TYPE,
    {
      htm: request.method.toUpperCase(),
      htp: request.path,
      bh: createHash("sha256").update(body).digest("base64url"),
    },
    options,
  );
  return `WritAgent ${token}`;
}

/** A compact JWS signed with the agent's Ed25519 key. */
function signAgentToken(
  agent: AgentIdentity,
  typ: string,
  claims: Record<string, string>,
  options: AgentTokenOptions,
): string {
  const now = Math.floor((options.clock ?? systemClock)() / 1000);
  const header = { alg: "EdDSA", typ, jwk: agent.key.publicJwk };
  const payload = {
    ...claims,
    iss: agent.id,
    sub: agent.id,
    aud: options.audience,
    iat: now,
    exp: now + (options.ttl ?? 60),
    jti: randomUUID(),
  };
  return signCompactJws(header, payload, agent.key);
}
