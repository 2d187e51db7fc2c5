import { type AgentIdentity, type Clock, Session, WritError } from "@writ/core";
import { createActorToken } from "./agent-tokens.js";

export interface ExchangeTokenOptions {
  /** The Writ server's base URL. */
  readonly url: string;
  /** The server's audience, for the actor token (default: fetched from /.well-known/writ-configuration). */
  readonly audience?: string;
  /** The user's token from the identity provider. */
  readonly subjectToken: string;
  /** Default "id_token". */
  readonly subjectTokenType?: "id_token" | "access_token";
  /** The agent the writ is for; its key signs the actor token and the writ is bound to it. */
  readonly agent: AgentIdentity;
  /** Narrows the writ below the user's permissions ∩ the agent's policy (text form). */
  readonly grants?: string;
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
}

/**
 * RFC 8693 token exchange: trades the user's identity-provider token, with
 * the agent's proof of its key, for a root writ, returned as the agent's
 * session. Failures are WritErrors with the server's code (token.expired,
 * token.wrong_audience, token.wrong_issuer …).
 */
export async function exchangeToken(options: ExchangeTokenOptions): Promise<Session> {
  const doFetch = options.fetch ?? fetch;
  const base = options.url.endsWith("/") ? options.url : `${options.url}/`;
  const audience = options.audience ?? (await serverAudience(doFetch, base));
  const form = new URLSearchParams({
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token: options.subjectToken,
    subject_token_type: `urn:ietf:params:oauth:token-type:${options.subjectTokenType ?? "id_token"}`,
    actor_token: createActorToken(options.agent, {
      audience,
      ...(options.clock ? { clock: options.clock } : {}),
    }),
    actor_token_type: "urn:ietf:params:oauth:token-type:jwt",
    ...(options.grants === undefined ? {} : { grants: options.grants }),
  });
  let response: Response;
  try {
    response = await doFetch(new URL("oauth/token", base), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form,
    });
  } catch (error) {
    throw new WritError(
      "store.unavailable",
      "The Writ server could not be reached for the token exchange.",
      {},
      error,
    );
  }
  let body: { access_token?: string; code?: WritError["code"]; detail?: string };
  try {
    body = (await response.json()) as typeof body;
  } catch (error) {
    throw new WritError(
      "store.unavailable",
      `The token exchange answered ${response.status} without a JSON body.`,
      {},
      error,
    );
  }
  if (!response.ok || typeof body.access_token !== "string") {
    throw new WritError(
      body.code ?? "server.internal",
      body.detail ?? `The token exchange failed with status ${response.status}.`,
    );
  }
  return new Session(
    options.agent,
    body.access_token,
    options.clock ? { clock: options.clock } : {},
  );
}

/** The audience the server's actor tokens must name, from its discovery document. */
async function serverAudience(doFetch: typeof fetch, base: string): Promise<string> {
  try {
    const response = await doFetch(new URL(".well-known/writ-configuration", base));
    const { audience } = (await response.json()) as { audience?: unknown };
    if (typeof audience === "string") return audience;
    throw new Error("no audience");
  } catch (error) {
    throw new WritError(
      "store.unavailable",
      "The Writ server's /.well-known/writ-configuration could not be read.",
      {},
      error,
    );
  }
}
