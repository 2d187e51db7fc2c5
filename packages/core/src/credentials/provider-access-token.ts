import { inspect } from "node:util";

/**
 * A user's access token at a provider, for one allowed call, carrying
 * exactly the scopes its action maps to. The value is only read on purpose
 * (`value`, `authorization`): JSON, string conversion and inspection show
 * everything but it, so logging the object leaks nothing.
 */
export class ProviderAccessToken {
  readonly provider: string;
  /** `bearer` (lowercased, as the provider said). */
  readonly tokenType: string;
  /** The provider scopes it carries, sorted. */
  readonly scopes: readonly string[];
  /** Epoch ms. */
  readonly expiresAt: number;
  readonly #value: string;

  /** @internal made by the credential broker, or by a client that received it from the server */
  constructor(facts: {
    readonly provider: string;
    readonly value: string;
    readonly tokenType: string;
    readonly scopes: readonly string[];
    readonly expiresAt: number;
  }) {
    this.provider = facts.provider;
    this.tokenType = facts.tokenType;
    this.scopes = facts.scopes;
    this.expiresAt = facts.expiresAt;
    this.#value = facts.value;
  }

  /** The token itself, to send to the provider's API. */
  get value(): string {
    return this.#value;
  }

  /** The `Authorization` header value: `Bearer <token>`. */
  get authorization(): string {
    return `Bearer ${this.#value}`;
  }

  toJSON(): {
    readonly provider: string;
    readonly tokenType: string;
    readonly scopes: readonly string[];
    readonly expiresAt: number;
  } {
    return {
      provider: this.provider,
      tokenType: this.tokenType,
      scopes: this.scopes,
      expiresAt: this.expiresAt,
    };
  }

  toString(): string {
    return `[ProviderAccessToken ${this.provider} ${this.scopes.join(" ")}]`;
  }

  [inspect.custom](): string {
    return `ProviderAccessToken ${JSON.stringify(this.toJSON())}`;
  }
}
