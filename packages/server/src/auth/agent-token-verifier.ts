import { createHash } from "node:crypto";
import { type Clock, type PublicKey, WritError, type WritErrorCode } from "@writ/core";
import { importHeaderKey, ReplayCache } from "@writ/core/backend";
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import type { LiveHub } from "../live/live-hub.js";
import { joseErrorCode } from "./jose-error-code.js";

/** `typ` of the actor token an agent presents in a token exchange. */
export const ACTOR_TOKEN_TYPE = "writ-actor+jwt";
/** `typ` of the token that signs an agent's request to the API (`Authorization: WritAgent <jwt>`). */
export const AGENT_REQUEST_TYPE = "writ-agent+jwt";

const MAX_TOKEN_BYTES = 8192;
const HEADER_MEMBERS = new Set(["alg", "typ", "jwk"]);

export interface AgentTokenVerifierOptions {
  readonly hub: LiveHub;
  /** The audience the tokens must name: this server. */
  readonly audience: string;
  readonly clock: Clock;
  /** Longest lifetime (exp − iat) accepted, in seconds. */
  readonly maxLifetime: number;
  readonly clockSkew: number;
}

/** The request an agent-signed token must be bound to. */
export interface SignedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: Uint8Array;
}

/** An agent proven by a signature of one of its registered, unrevoked keys. */
export interface VerifiedAgent {
  readonly agent: string;
  readonly tenant: string | undefined;
  readonly thumbprint: string;
}

/**
 * Verifies tokens an agent signs with its own registered Ed25519 key: the
 * actor token of a token exchange, and agent-signed API requests (bound to
 * the method, path and body hash). The agent and key must be registered and
 * not revoked in the live state; each token id is accepted once.
 */
export class AgentTokenVerifier {
  readonly #options: AgentTokenVerifierOptions;
  readonly #replays: ReplayCache;

  constructor(options: AgentTokenVerifierOptions) {
    this.#options = options;
    // A token first accepted at t has iat ≤ t + skew (checked below) and
    // exp ≤ iat + maxLifetime, and is accepted until exp + skew: its id is
    // kept that long, so it can never be accepted twice.
    this.#replays = new ReplayCache(100_000, (options.maxLifetime + 2 * options.clockSkew) * 1000);
  }

  async verify(
    token: string,
    typ: typeof ACTOR_TOKEN_TYPE | typeof AGENT_REQUEST_TYPE,
    request?: SignedRequest,
  ): Promise<VerifiedAgent> {
    if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_BYTES) {
      throw fail("token.invalid", "The agent token is missing or too large.");
    }
    // Bounded split before jose's: a token of nothing but dots is refused cheaply.
    if (token.split(".", 4).length !== 3)
      throw fail("token.invalid", "The agent token is not a JWT.");
    const { key, agent } = this.#agentKey(token, typ);
    const { clock, clockSkew, audience, hub, maxLifetime } = this.#options;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, await importJWK(key.jwk, "EdDSA"), {
        algorithms: ["EdDSA"],
        typ,
        audience,
        issuer: agent,
        subject: agent,
        clockTolerance: clockSkew,
        currentDate: new Date(clock()),
        // Also refuses an iat further in the future than the skew allows
        // (token.not_yet_valid): exp − iat alone would let a token issued far
        // ahead outlive the replay window.
        maxTokenAge: maxLifetime,
        requiredClaims: ["jti", "iat", "exp"],
      }));
    } catch (error) {
      throw fail(joseErrorCode(error), "The agent token did not verify.", error);
    }
    const { iat, exp, jti } = payload as { iat: number; exp: number; jti: unknown };
    if (exp - iat > maxLifetime) {
      throw fail("token.invalid", `Agent tokens may live at most ${maxLifetime} s.`);
    }
    if (typeof jti !== "string" || jti.length === 0 || jti.length > 128) {
      throw fail("token.invalid", 'The agent token needs a "jti".');
    }
    if (request) checkRequestBinding(payload, request);
    const state = hub.agent(agent);
    const recorded = this.#replays.add(`${agent}:${jti}`, clock());
    if (recorded !== "added") {
      throw fail("token.replayed", "This agent token was already used; sign one per request.");
    }
    return { agent, tenant: state?.tenant, thumbprint: key.thumbprint };
  }

  /** The embedded key, which must be a registered and unrevoked key of the issuing agent. */
  #agentKey(token: string, typ: string): { key: PublicKey; agent: string } {
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(token) as Record<string, unknown>;
      claims = decodeJwt(token);
    } catch (error) {
      throw fail("token.invalid", "The agent token is not a JWT.", error);
    }
    if (header.alg !== "EdDSA" || header.typ !== typ) {
      throw fail("token.invalid", `The agent token must have alg "EdDSA" and typ "${typ}".`);
    }
    for (const member of Object.keys(header)) {
      if (!HEADER_MEMBERS.has(member)) {
        throw fail("token.invalid", `The agent token header must not carry "${member}".`);
      }
    }
    let key: PublicKey;
    try {
      key = importHeaderKey(header.jwk);
    } catch (error) {
      throw fail(
        "token.invalid",
        'The agent token must carry the agent\'s public key in "jwk" (kty, crv, x only).',
        error,
      );
    }
    const agent = claims.iss;
    const { hub } = this.#options;
    const state = typeof agent === "string" ? hub.agent(agent) : undefined;
    if (typeof agent !== "string" || !state || !state.keys.includes(key.thumbprint)) {
      throw fail(
        "token.invalid",
        "The agent token is not signed by a registered key of its agent.",
      );
    }
    if (hub.isRevoked("agent", agent) || hub.isRevoked("key", key.thumbprint)) {
      throw fail("token.invalid", "The agent or its key is revoked.");
    }
    return { key, agent };
  }
}

/** An agent-signed request names its method, path and body hash (base64url SHA-256). */
function checkRequestBinding(payload: Record<string, unknown>, request: SignedRequest): void {
  const bodyHash = createHash("sha256").update(request.body).digest("base64url");
  if (
    payload.htm !== request.method.toUpperCase() ||
    payload.htp !== request.path ||
    payload.bh !== bodyHash
  ) {
    throw fail("token.invalid", "The agent token is bound to another request (htm, htp or bh).");
  }
}

function fail(code: WritErrorCode, message: string, cause?: unknown): WritError {
  return new WritError(code, message, {}, cause);
}
