// The slice of oidc-provider's API the test authorization server uses (the package ships no types).
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  interface Account {
    readonly accountId: string;
    claims(): Record<string, unknown> | Promise<Record<string, unknown>>;
  }

  interface GrantModel {
    destroy(): Promise<void>;
  }

  export const errors: { InvalidTarget: new () => Error };

  export default class Provider {
    constructor(
      issuer: string,
      configuration: Record<string, unknown> & {
        readonly findAccount?: (context: unknown, id: string) => Account | undefined;
      },
    );
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
    on(event: string, listener: (...args: never[]) => void): this;
    readonly Grant: { find(id: string): Promise<GrantModel | undefined> };
  }
}
