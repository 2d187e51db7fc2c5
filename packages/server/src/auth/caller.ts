import type { ApiKeyScope, ConsoleRole } from "@writ/store";

/** Who is making a request, once authenticated. */
export type Caller =
  | {
      readonly kind: "api_key";
      readonly keyId: string;
      /** Undefined for an operator key (all tenants). */
      readonly tenant: string | undefined;
      readonly scopes: readonly ApiKeyScope[];
    }
  | {
      /** A person signed in to the console: their role's scopes, enforced like a key's. */
      readonly kind: "session";
      /** Names the session (a prefix of its hash) for rate limits. */
      readonly session: string;
      /** Who signed in: a user id from an identity provider, or `key:<id>`. */
      readonly subject: string;
      readonly tenant: string | undefined;
      readonly role: ConsoleRole;
      readonly scopes: readonly ApiKeyScope[];
      readonly apiKeyId?: string;
    }
  | {
      readonly kind: "agent";
      readonly agent: string;
      readonly tenant: string | undefined;
      /** Thumbprint of the key that signed the request. */
      readonly thumbprint: string;
    };

/** The variables the server's middleware sets on every authenticated request. */
export interface ServerEnv {
  Variables: { caller: Caller };
}

/** Who made a change, as the ledger names them: never a claim in the request body. */
export function callerName(caller: Caller): string {
  switch (caller.kind) {
    case "agent":
      return `agent:${caller.agent}`;
    case "api_key":
      return `key:${caller.keyId}`;
    case "session":
      return `console:${caller.subject}`;
  }
}

/** The bucket a caller's requests and open feeds are counted in. */
export function callerBucket(caller: Caller): string {
  switch (caller.kind) {
    case "agent":
      return `agent:${caller.agent}`;
    case "api_key":
      return `key:${caller.keyId}`;
    case "session":
      return `session:${caller.session}`;
  }
}
