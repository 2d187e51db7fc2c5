import { KeyPair } from "./key-pair.js";

/** What others need to delegate to an agent: its id and its key thumbprint. */
export interface AgentReference {
  readonly id: string;
  readonly thumbprint: string;
}

/** An agent as a principal: its id and its own key pair. */
export interface AgentIdentity extends AgentReference {
  readonly key: KeyPair;
}

const PRINCIPAL_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$/;

/** Ids of users, agents, issuers and tenants: 1–128 characters, no whitespace or `~`. */
export function isPrincipalId(value: unknown): value is string {
  return typeof value === "string" && PRINCIPAL_ID.test(value);
}

/** Creates an agent identity, generating a fresh Ed25519 key pair unless one is given. */
export function createAgentIdentity(id: string, key: KeyPair = KeyPair.generate()): AgentIdentity {
  assertPrincipalId(id, "agent");
  return { id, key, thumbprint: key.thumbprint };
}

/** Throws a TypeError (caller misuse) unless `id` is a valid principal id. */
export function assertPrincipalId(id: unknown, kind: string): asserts id is string {
  if (!isPrincipalId(id)) {
    throw new TypeError(
      `Invalid ${kind} id ${JSON.stringify(id)}: use 1–128 characters from letters, digits and . _ : @ / -, starting with a letter or digit.`,
    );
  }
}
