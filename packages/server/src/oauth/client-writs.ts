import { createHash, createHmac } from "node:crypto";
import { delegateWrit, type Grant, jwkThumbprint, KeyPair, type Writ, WritError } from "@writ/core";
import type { GrantsInput } from "@writ/core/backend";
import type { WritStore } from "../writ-store.js";
import type { OAuthResource } from "./oauth-options.js";

/** Who a consent's writs run through: the client's agent, then the gateway's (shared by every tenant). */
export interface ClientChain {
  readonly user: string;
  /** The client's agent (`mcp-client-…`): its policy bounds every call the client makes. */
  readonly agent: string;
  readonly resource: OAuthResource;
  readonly grants: readonly Grant[];
}

/**
 * The writs behind an MCP client's access tokens. An OAuth client holds no
 * key of Writ's, so its agent's key is one the server derives from its
 * active issuer key and the agent's id (never stored, the same on every
 * instance); the root hop (user → client agent: user ∩ the client's policy ∩
 * the consent) is bound to it, and a second hop delegates the same grants to
 * the gateway's agent, bound to the gateway's own key. The gateway is then
 * the only party that can use the writ, and the guard checks the user, the
 * client's policy and the gateway's policy on every call.
 */
export class ClientWrits {
  readonly #store: WritStore;
  readonly #gatewayPolicy: GrantsInput;

  constructor(store: WritStore, gatewayPolicy: GrantsInput = "*") {
    this.#store = store;
    this.#gatewayPolicy = gatewayPolicy;
  }

  /**
   * Creates the client's agent at its first consent (with `policy`), in the
   * user's tenant, and the gateway's agent at its first client. The gateway's
   * agent is shared: one gateway, with one key, serves the users of every
   * tenant, and a key belongs to one agent.
   */
  async ensureAgents(options: {
    readonly agent: string;
    readonly tenant: string | undefined;
    readonly policy: GrantsInput;
    readonly resource: OAuthResource;
  }): Promise<void> {
    const gateway = gatewayAgentId(options.resource.resource);
    const existing = await this.#store.getAgent(gateway);
    if (existing?.tenant !== undefined) {
      // Agent ids are global: a tenant's admin may have taken this one first.
      throw new WritError(
        "store.conflict",
        `Agent "${gateway}", the gateway's, belongs to a tenant: remove it with an operator key, and the next consent creates it again, shared.`,
        { agent: gateway },
      );
    }
    if (!existing?.shared) {
      await this.#store.putAgent({
        id: gateway,
        shared: true,
        // A gateway agent made before agents could be shared keeps its policy.
        policy: existing?.policy ?? this.#gatewayPolicy,
        keys: [options.resource.key],
      });
    }
    if (!(await this.#store.getAgent(options.agent))) {
      await this.#store.putAgent({
        id: options.agent,
        ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
        policy: options.policy,
      });
    }
  }

  /** A writ for the gateway, issued now against current permissions and policies. */
  async issue(chain: ClientChain, ttl: number): Promise<Writ> {
    const key = await this.#clientKey(chain.agent);
    const root = await this.#store.issue({
      user: chain.user,
      agent: chain.agent,
      key: key.thumbprint,
      grants: chain.grants,
      ttl,
      maxDepth: 1,
    });
    return delegateWrit(
      root,
      key,
      {
        id: gatewayAgentId(chain.resource.resource),
        thumbprint: jwkThumbprint(chain.resource.key),
      },
      { grants: root.grants, maxDepth: 0 },
    );
  }

  /** The client agent's key, registered on its first use (and again after an issuer key rotation). */
  async #clientKey(agent: string): Promise<KeyPair> {
    const { key } = (await this.#store.issuerKeys()).active;
    const seed = createHmac("sha256", Buffer.from(key.exportPrivateJwk().d, "base64url"))
      .update(`writ-oauth-client-key\n${agent}`)
      .digest();
    const pair = KeyPair.fromSeed(seed);
    const record = await this.#store.getAgent(agent);
    if (record && !record.keys.some((registered) => registered.thumbprint === pair.thumbprint)) {
      await this.#store.addAgentKey(agent, pair);
    }
    return pair;
  }
}

/** The gateway's agent: one per gateway, named for its resource. */
export function gatewayAgentId(resource: string): string {
  return `mcp-gateway-${createHash("sha256").update(resource).digest("base64url").slice(0, 22)}`;
}
