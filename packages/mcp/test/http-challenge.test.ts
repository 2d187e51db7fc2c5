import { errorSpec, WRIT_ERROR_CODES } from "@writ/core";
import { describe, expect, it } from "vitest";
import { bearerChallenge, challengeFor, wwwAuthenticate } from "../src/gateway/http-challenge.js";

describe("the gateway's HTTP answer to a refusal", () => {
  it("follows the error registry for every code", () => {
    for (const code of WRIT_ERROR_CODES) {
      const { challenge, status } = errorSpec(code);
      const answer = challengeFor(code, "files.read");
      if (challenge === "insufficient_scope") {
        expect(answer, code).toEqual({ status: 403, error: challenge, code, scope: "files.read" });
      } else if (code === "proof.wrong_action") {
        expect(answer, code).toEqual({ status: 401, error: challenge, code, scope: "files.read" });
      } else if (challenge !== null) {
        expect(answer, code).toEqual({ status: 401, error: challenge, code });
      } else if (status === 503) {
        expect(answer, code).toEqual({ status: 503, code });
      } else {
        expect(answer, `${code} is answered inside the MCP result`).toBeUndefined();
      }
    }
  });

  it("asks for another writ, another proof, or more authority, and says when to come back", () => {
    expect(challengeFor("revoked.agent")).toMatchObject({ status: 401, error: "invalid_token" });
    expect(challengeFor("writ.expired")).toMatchObject({ status: 401, error: "invalid_token" });
    expect(challengeFor("proof.replayed")).toMatchObject({
      status: 401,
      error: "invalid_dpop_proof",
    });
    expect(challengeFor("grant.action_not_granted")).toEqual({
      status: 403,
      error: "insufficient_scope",
      code: "grant.action_not_granted",
    });
    for (const code of ["live.stale", "proof.replay_cache_full", "store.unavailable"] as const) {
      expect(challengeFor(code), code).toEqual({ status: 503, code });
    }
    for (const code of [
      "granted",
      "approval.granted",
      "approval.required",
      "grant.condition_failed",
      "live.permission_denied",
    ] as const) {
      expect(challengeFor(code), code).toBeUndefined();
    }
  });

  it("names the code as the challenge's error_description", () => {
    const challenge = challengeFor("grant.action_not_granted", "files.read");
    expect(
      challenge && wwwAuthenticate(challenge, "https://mcp.example/.well-known/x", ["EdDSA"]),
    ).toBe(
      'DPoP error="insufficient_scope", error_description="grant.action_not_granted", scope="files.read", resource_metadata="https://mcp.example/.well-known/x", algs="EdDSA"',
    );
  });

  it("leaves a bad DPoP proof to the DPoP challenge: the Bearer one only says where to get a token", () => {
    const challenge = challengeFor("dpop.replayed");
    expect(challenge).toEqual({ status: 401, error: "invalid_dpop_proof", code: "dpop.replayed" });
    const metadata = "https://mcp.example/.well-known/x";
    expect(challenge && bearerChallenge(challenge, metadata)).toBe(
      `Bearer resource_metadata="${metadata}"`,
    );
    expect(challenge && wwwAuthenticate(challenge, metadata, ["ES256", "EdDSA"])).toBe(
      `DPoP error="invalid_dpop_proof", error_description="dpop.replayed", resource_metadata="${metadata}", algs="ES256 EdDSA"`,
    );
  });
});
