import { describe, expect, it } from "vitest";
import {
  describeDecision,
  errorSpec,
  isWritError,
  isWritErrorCode,
  WRIT_ERROR_CODES,
  WritError,
  type WritErrorCode,
} from "../src/index.js";

const PLACEHOLDERS = new Set(["action", "path", "decidedBy", "code"]);

describe("the error registry", () => {
  it("knows each code once, and nothing else", () => {
    expect(new Set(WRIT_ERROR_CODES).size).toBe(WRIT_ERROR_CODES.length);
    for (const code of WRIT_ERROR_CODES) {
      expect(code).toMatch(/^[a-z]+\.[a-z_]+$/);
      expect(isWritErrorCode(code)).toBe(true);
    }
    for (const other of ["granted", "approval.granted", "toString", "__proto__", "", 42, null]) {
      expect(isWritErrorCode(other)).toBe(false);
    }
    expect(() => errorSpec("writ.unheard_of" as WritErrorCode)).toThrow(TypeError);
  });

  it("calls a failure retryable exactly when every surface says it is temporary", () => {
    for (const code of WRIT_ERROR_CODES) {
      const { status, exit, retryable } = errorSpec(code);
      if ([429, 503, 504].includes(status)) expect(retryable, code).toBe(true);
      if (retryable) expect([429, 502, 503, 504], code).toContain(status);
      expect(exit === "unavailable", code).toBe(retryable);
    }
  });

  it("challenges only for credentials another writ or proof could fix", () => {
    for (const code of WRIT_ERROR_CODES) {
      const { challenge, status, retryable } = errorSpec(code);
      if (challenge === null) continue;
      expect(retryable, code).toBe(false);
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(500);
    }
    const scoped = WRIT_ERROR_CODES.filter(
      (code) => errorSpec(code).challenge === "insufficient_scope",
    );
    expect(scoped).toEqual(["grant.action_not_granted"]);
    for (const code of WRIT_ERROR_CODES.filter((code) => code.startsWith("proof."))) {
      expect(errorSpec(code).challenge, code).toBe(
        code === "proof.replay_cache_full" ? null : "invalid_dpop_proof",
      );
    }
    for (const code of WRIT_ERROR_CODES.filter(
      (code) => code.startsWith("writ.") || code.startsWith("revoked."),
    )) {
      expect(errorSpec(code).challenge, code).toBe("invalid_token");
    }
  });

  it("classifies the guard unable to decide right now as 503 and retryable everywhere", () => {
    for (const code of [
      "live.stale",
      "live.unavailable",
      "ledger.unavailable",
      "store.unavailable",
      "proof.replay_cache_full",
      "grant.set_unavailable",
      "guard.internal",
    ] as const) {
      expect(errorSpec(code), code).toMatchObject({
        status: 503,
        challenge: null,
        exit: "unavailable",
        retryable: true,
      });
    }
  });
});

describe("describeDecision", () => {
  const facts = { action: "refunds.approve", path: "amount", decidedBy: "support-bot" };

  it("words every code for a model from the registry, with every placeholder filled", () => {
    for (const code of WRIT_ERROR_CODES) {
      const { message, retryable } = errorSpec(code);
      for (const match of message.matchAll(/\{(\w+)\}/g)) {
        expect(PLACEHOLDERS.has(match[1] ?? ""), `${code}: {${match[1]}}`).toBe(true);
      }
      for (const given of [facts, { action: facts.action }]) {
        const words = describeDecision({ code, ...given });
        expect(words, code).not.toMatch(/[{}[\]]/);
        expect(words, code).toMatch(/\.$/);
        if (message.includes("{action}")) expect(words, code).toContain(facts.action);
      }
      // A retryable failure says so; a final one never invites a retry.
      if (retryable) expect(message, code).toMatch(/try again later\.$/i);
      else expect(message, code).not.toMatch(/try again/i);
    }
  });

  it("never holds anything shaped like a token or key", () => {
    for (const code of WRIT_ERROR_CODES) {
      const { message } = errorSpec(code);
      expect(message, code).not.toMatch(/eyJ|writ_|[A-Za-z0-9_-]{24,}/);
    }
  });

  it("keeps the words models have been reading", () => {
    expect(describeDecision({ code: "granted", action: "docs.read" })).toBe("Allowed: docs.read.");
    expect(describeDecision({ code: "grant.condition_failed", ...facts })).toBe(
      'Denied: the argument "amount" is outside what this agent may do for refunds.approve (decided by the authority given to support-bot). Do not retry with other values to get around this; tell the user.',
    );
    expect(describeDecision({ code: "grant.action_not_granted", action: "email.send" })).toBe(
      "Denied: this agent is not authorized to perform email.send. Do not retry; tell the user it is not allowed.",
    );
    expect(describeDecision({ code: "live.policy_denied", action: "email.send" })).toBe(
      "Denied: the policy of an agent in the chain no longer allows email.send.",
    );
    expect(describeDecision({ code: "live.stale", action: "email.send" })).toBe(
      "Denied: the authorization service is unavailable, so email.send was not run. Try again later.",
    );
    expect(describeDecision({ code: "writ.bad_signature", action: "email.send" })).toBe(
      "Denied: the call to email.send did not carry valid authorization (writ.bad_signature).",
    );
  });

  it("reads a fact's own text as text, never as a placeholder", () => {
    expect(
      describeDecision({ code: "grant.condition_failed", action: "{path}", path: "[{action}]" }),
    ).toContain('the argument "[{action}]" is outside what this agent may do for {path}.');
  });
});

describe("WritError", () => {
  it("is recognised from another copy of @writ/core, by its brand", async () => {
    const elsewhere = "../src/errors.js?another-copy";
    const copy = (await import(/* @vite-ignore */ elsewhere)) as typeof import("../src/errors.js");
    expect(copy.WritError).not.toBe(WritError);
    const foreign = new copy.WritError("writ.expired", "Hop 0 has expired.");
    expect(isWritError(foreign)).toBe(true);
    expect(WritError.isInstance(foreign)).toBe(true);
    expect(foreign instanceof WritError).toBe(true);
    expect(copy.isWritError(new WritError("live.stale", "Stale."))).toBe(true);
  });

  it("is not claimed by look-alikes, and a subclass keeps the ordinary instanceof", () => {
    for (const other of [
      new Error("no"),
      { name: "WritError", code: "writ.expired", message: "no" },
      null,
      "writ.expired",
    ]) {
      expect(isWritError(other)).toBe(false);
      expect(other instanceof WritError).toBe(false);
    }
    class StoreFailure extends WritError {}
    const failure = new StoreFailure("store.corrupt", "Bad row.");
    expect(failure instanceof WritError).toBe(true);
    expect(isWritError(failure)).toBe(true);
    expect(new WritError("store.corrupt", "Bad row.") instanceof StoreFailure).toBe(false);
    // The brand lives on the prototype, so it is never among an error's own fields.
    expect(Object.getOwnPropertySymbols(failure)).toEqual([]);
  });
});
