import type { ApiKeyScope } from "@writ/store";

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
  return caller.kind === "agent" ? `agent:${caller.agent}` : `key:${caller.keyId}`;
}
