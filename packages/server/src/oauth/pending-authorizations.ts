import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Grant } from "@writ/core";
import type { OAuthStateStore } from "@writ/core/backend";
import type { OAuthClient } from "./oauth-clients.js";

/** An authorization request between /oauth/authorize and the consent. */
export interface PendingAuthorization {
  readonly id: string;
  readonly client: OAuthClient;
  readonly redirectUri: string;
  readonly state: string | undefined;
  readonly codeChallenge: string;
  readonly resource: string;
  /** The actions the client asked for (`scope`); empty when it asked for none. */
  readonly scope: readonly string[];
  /** The hash of the secret in the browser's cookie: only that browser may continue the request. */
  readonly browser: string;
  readonly expiresAt: number;
  /** The Writ user who signed in for this request, once they have. */
  readonly user?: string;
}

/** An authorization code: what the consent approved, until the client redeems it, once. */
export interface ApprovedAuthorization {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly resource: string;
  readonly user: string;
  readonly agent: string;
  readonly grants: readonly Grant[];
  readonly expiresAt: number;
}

const REQUEST_TTL_MS = 10 * 60_000;
const CODE_TTL_MS = 60_000;

/**
 * Authorization requests in flight and the codes consents produced, kept in
 * the store for minutes (so any server instance may continue a request): a
 * request is bound to the browser that started it, a code is single use and
 * expires after a minute. A code redeemed twice is an attack (RFC 6749
 * §4.1.2): the second redemption, at whichever instance, is refused and
 * reported, so the tokens of the first can be revoked. Codes are stored as
 * hashes.
 */
export class PendingAuthorizations {
  readonly #state: OAuthStateStore;
  readonly #clock: () => number;

  constructor(state: OAuthStateStore, clock: () => number) {
    this.#state = state;
    this.#clock = clock;
  }

  /** Opens a request; returns it and the secret for the browser's cookie. */
  async open(
    request: Omit<PendingAuthorization, "id" | "browser" | "expiresAt" | "user">,
  ): Promise<{
    pending: PendingAuthorization;
    browserSecret: string;
  }> {
    const browserSecret = randomBytes(32).toString("base64url");
    const pending: PendingAuthorization = {
      ...request,
      id: randomBytes(16).toString("base64url"),
      browser: hash(browserSecret),
      expiresAt: this.#clock() + REQUEST_TTL_MS,
    };
    const { id, browser, expiresAt, ...data } = pending;
    await this.#state.openOAuthRequest({
      id,
      browserHash: browser,
      data: JSON.stringify(data),
      expiresAt,
    });
    return { pending, browserSecret };
  }

  /** The request, if it is open and this browser started it. */
  async find(
    id: string,
    browserSecret: string | undefined,
  ): Promise<PendingAuthorization | undefined> {
    const record = await this.#state.getOAuthRequest(id, this.#clock());
    if (!record || browserSecret === undefined) return undefined;
    const sent = Buffer.from(hash(browserSecret));
    if (!timingSafeEqual(sent, Buffer.from(record.browserHash))) return undefined;
    const data = JSON.parse(record.data) as Omit<
      PendingAuthorization,
      "id" | "browser" | "expiresAt" | "user"
    >;
    return {
      ...data,
      id: record.id,
      browser: record.browserHash,
      expiresAt: record.expiresAt,
      ...(record.user === undefined ? {} : { user: record.user }),
    };
  }

  /** Records the Writ user who signed in for the request. */
  signIn(id: string, user: string): Promise<void> {
    return this.#state.setOAuthRequestUser(id, user);
  }

  /** Ends the request (approved or denied): false when it had already ended (answered once, anywhere). */
  close(id: string): Promise<boolean> {
    return this.#state.closeOAuthRequest(id);
  }

  /** Issues a code for an approved request. */
  async issueCode(approved: Omit<ApprovedAuthorization, "expiresAt">): Promise<string> {
    const code = randomBytes(32).toString("base64url");
    const expiresAt = this.#clock() + CODE_TTL_MS;
    await this.#state.putOAuthCode({
      codeHash: hash(code),
      data: JSON.stringify({ ...approved, expiresAt }),
      expiresAt,
    });
    return code;
  }

  /**
   * Redeems a code, once: the approval, or `{ replayedFamily }` when the code
   * was redeemed before (its tokens must be revoked), or undefined when it is
   * unknown or expired.
   */
  async redeem(
    code: string,
    family: string,
  ): Promise<ApprovedAuthorization | { readonly replayedFamily: string } | undefined> {
    const redeemed = await this.#state.redeemOAuthCode(hash(code), family, this.#clock());
    if (redeemed === undefined || "replayedFamily" in redeemed) return redeemed;
    return JSON.parse(redeemed.data) as ApprovedAuthorization;
  }
}

function hash(secret: string): string {
  return createHash("sha256").update(secret).digest("base64url");
}
