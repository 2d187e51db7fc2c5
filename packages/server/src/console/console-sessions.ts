import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { type Clock, WritError } from "@writ/core";
import type { ApiKeyScope, ConsoleRole, ConsoleSession } from "@writ/store";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Caller } from "../auth/caller.js";
import type { LiveHub } from "../live/live-hub.js";
import type { WritStore } from "../writ-store.js";

/** The scopes each console role acts with: the API enforces them like a key's. */
export const ROLE_SCOPES: Readonly<Record<ConsoleRole, readonly ApiKeyScope[]>> = {
  viewer: ["read"],
  approver: ["approve"],
  admin: ["admin"],
};

/** The header every change made from the console carries. */
export const CSRF_HEADER = "x-writ-csrf";

const SECRET = /^[A-Za-z0-9_-]{43}$/;

/**
 * Console sign-ins: a random 256-bit secret in an HttpOnly, SameSite=Strict
 * cookie (`__Host-` and Secure over TLS), kept in the store by its hash so
 * every instance knows the session and signing out ends it everywhere. Each
 * session has a CSRF token derived from its secret, which pages carry and
 * every change must send back in a header; it is no secret of its own.
 */
export class ConsoleSessions {
  readonly #store: WritStore;
  readonly #hub: LiveHub;
  readonly #clock: Clock;
  readonly #ttlMs: number;

  constructor(options: { store: WritStore; hub: LiveHub; clock: Clock; ttlMs: number }) {
    this.#store = options.store;
    this.#hub = options.hub;
    this.#clock = options.clock;
    this.#ttlMs = options.ttlMs;
  }

  /** Opens a session and sets its cookie. */
  async open(
    c: Context,
    who: {
      readonly subject: string;
      readonly tenant: string | undefined;
      readonly role: ConsoleSession["role"];
      readonly apiKeyId?: string;
    },
  ): Promise<void> {
    const secret = randomBytes(32).toString("base64url");
    const now = this.#clock();
    await this.#store.createConsoleSession(hashOf(secret), {
      subject: who.subject,
      role: who.role,
      ...(who.tenant === undefined ? {} : { tenant: who.tenant }),
      ...(who.apiKeyId === undefined ? {} : { apiKeyId: who.apiKeyId }),
      createdAt: now,
      expiresAt: now + this.#ttlMs,
    });
    setCookie(c, cookieName(c), secret, {
      httpOnly: true,
      secure: isSecure(c),
      sameSite: "Strict",
      path: "/",
      maxAge: Math.floor(this.#ttlMs / 1000),
    });
  }

  async close(c: Context): Promise<void> {
    const secret = getCookie(c, cookieName(c));
    if (secret !== undefined && SECRET.test(secret))
      await this.#store.endConsoleSession(hashOf(secret));
    deleteCookie(c, cookieName(c), { path: "/", secure: isSecure(c) });
  }

  /**
   * The caller of a request carrying a session cookie, or undefined without
   * one. Changes (anything but GET and HEAD) must carry the CSRF token and
   * come from this origin.
   */
  async caller(c: Context): Promise<Caller | undefined> {
    const secret = getCookie(c, cookieName(c));
    if (secret === undefined) return undefined;
    const session = SECRET.test(secret)
      ? await this.#store.getConsoleSession(hashOf(secret), this.#clock())
      : undefined;
    if (
      !session ||
      (session.apiKeyId !== undefined && this.#hub.isRevoked("api_key", session.apiKeyId))
    ) {
      throw new WritError("auth.invalid", "The console session has ended; sign in again.");
    }
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      const sent = c.req.header(CSRF_HEADER) ?? "";
      const expected = csrfToken(secret);
      const origin = c.req.header("origin");
      if (
        sent.length !== expected.length ||
        !timingSafeEqual(Buffer.from(sent), Buffer.from(expected)) ||
        (origin !== undefined && origin !== new URL(c.req.url).origin)
      ) {
        throw new WritError(
          "auth.forbidden",
          `Changes from the console must come from its own pages (the ${CSRF_HEADER} header).`,
        );
      }
    }
    return {
      kind: "session",
      session: hashOf(secret).slice(0, 16),
      subject: session.subject,
      tenant: session.tenant,
      role: session.role,
      scopes: ROLE_SCOPES[session.role],
      ...(session.apiKeyId === undefined ? {} : { apiKeyId: session.apiKeyId }),
    };
  }

  /** The CSRF token of the request's session, for its pages. */
  csrf(c: Context): string | undefined {
    const secret = getCookie(c, cookieName(c));
    return secret !== undefined && SECRET.test(secret) ? csrfToken(secret) : undefined;
  }
}

/**
 * Whether the browser reached the server over TLS: directly, or through a
 * TLS-terminating proxy that says so (`X-Forwarded-Proto: https`). Trusting
 * the header can only add `Secure`, never take it away.
 */
export function isSecure(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";
}

function cookieName(c: Context): string {
  return isSecure(c) ? "__Host-writ_session" : "writ_session";
}

function hashOf(secret: string): string {
  return createHash("sha256").update(`writ-console-session:${secret}`).digest("hex");
}

function csrfToken(secret: string): string {
  return createHash("sha256").update(`writ-console-csrf:${secret}`).digest("base64url");
}
