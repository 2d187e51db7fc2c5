import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Grant } from "@writ/core";
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
  user?: string;
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
const MAX_PENDING = 10_000;

/**
 * Authorization requests in flight and the codes consents produced, kept in
 * memory for minutes: a request is bound to the browser that started it, a
 * code is single use and expires after a minute. A code redeemed twice is an
 * attack (RFC 6749 §4.1.2): the second redemption is refused and reported, so
 * the tokens of the first can be revoked.
 */
export class PendingAuthorizations {
  readonly #requests = new Map<string, PendingAuthorization>();
  readonly #codes = new Map<string, ApprovedAuthorization>();
  /** Codes redeemed, with the refresh family their redemption started, until they would have expired. */
  readonly #redeemed = new Map<string, { family: string; until: number }>();
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** Opens a request; returns it and the secret for the browser's cookie. */
  open(request: Omit<PendingAuthorization, "id" | "browser" | "expiresAt" | "user">): {
    pending: PendingAuthorization;
    browserSecret: string;
  } {
    this.#sweep();
    if (this.#requests.size >= MAX_PENDING) {
      const oldest = this.#requests.keys().next().value;
      if (oldest !== undefined) this.#requests.delete(oldest);
    }
    const browserSecret = randomBytes(32).toString("base64url");
    const pending: PendingAuthorization = {
      ...request,
      id: randomBytes(16).toString("base64url"),
      browser: hash(browserSecret),
      expiresAt: this.#clock() + REQUEST_TTL_MS,
    };
    this.#requests.set(pending.id, pending);
    return { pending, browserSecret };
  }

  /** The request, if it is open and this browser started it. */
  find(id: string, browserSecret: string | undefined): PendingAuthorization | undefined {
    const pending = this.#requests.get(id);
    if (!pending || pending.expiresAt <= this.#clock() || browserSecret === undefined)
      return undefined;
    const sent = Buffer.from(hash(browserSecret));
    return timingSafeEqual(sent, Buffer.from(pending.browser)) ? pending : undefined;
  }

  /** Ends the request (approved or denied): it cannot be used again. */
  close(id: string): void {
    this.#requests.delete(id);
  }

  /** Issues a code for an approved request. */
  issueCode(approved: Omit<ApprovedAuthorization, "expiresAt">): string {
    const code = randomBytes(32).toString("base64url");
    this.#codes.set(hash(code), { ...approved, expiresAt: this.#clock() + CODE_TTL_MS });
    return code;
  }

  /**
   * Redeems a code, once: the approval, or `{ replayedFamily }` when the code
   * was redeemed before (its tokens must be revoked), or undefined when it is
   * unknown or expired.
   */
  redeem(
    code: string,
    family: string,
  ): ApprovedAuthorization | { readonly replayedFamily: string } | undefined {
    const key = hash(code);
    const replay = this.#redeemed.get(key);
    if (replay) return { replayedFamily: replay.family };
    const approved = this.#codes.get(key);
    this.#codes.delete(key);
    if (!approved || approved.expiresAt <= this.#clock()) return undefined;
    this.#redeemed.set(key, { family, until: approved.expiresAt });
    return approved;
  }

  #sweep(): void {
    const now = this.#clock();
    for (const [id, pending] of this.#requests)
      if (pending.expiresAt <= now) this.#requests.delete(id);
    for (const [key, code] of this.#codes) if (code.expiresAt <= now) this.#codes.delete(key);
    for (const [key, used] of this.#redeemed) if (used.until <= now) this.#redeemed.delete(key);
  }
}

function hash(secret: string): string {
  return createHash("sha256").update(secret).digest("base64url");
}
