import {
  createAgentIdentity,
  formatWritTree,
  IssuerKeySet,
  inspectWrit,
  issueWrit,
  parseGrantText,
  Session,
  Writ,
} from "@writ/core";
import { WritVerifier } from "@writ/core/backend";
import { fixedClock, seededRandom } from "@writ/core/testing";
import { describe, expect, it } from "vitest";

function setup() {
  const clock = fixedClock(Date.UTC(2026, 0, 1, 9, 0, 0));
  const random = seededRandom("writ-test");
  const issuer = IssuerKeySet.generate("writ:test");
  const planner = createAgentIdentity("planner");
  const worker = createAgentIdentity("worker");
  const writ = issueWrit({
    issuer,
    user: { id: "alice", permissions: "refunds.*(amount < 10000); email.send" },
    agent: { ...planner, policy: "refunds.approve; email.*" },
    tenant: "acme",
    clock,
    random,
  });
  const session = new Session(planner, writ, { clock, random });
  return {
    clock,
    random,
    issuer,
    planner,
    worker,
    writ,
    session,
    verifier: new WritVerifier({ issuer }),
  };
}

describe("issueWrit", () => {
  it("signs the user's permissions ∩ the agent's policy into a root hop", () => {
    const { writ, issuer, planner } = setup();
    expect(writ.hops).toHaveLength(1);
    expect(writ.root.header).toEqual({ alg: "EdDSA", typ: "writ+jwt", kid: issuer.active.kid });
    expect(writ.root.claims).toMatchObject({
      iss: "writ:test",
      sub: "alice",
      aud: "planner",
      cnf: { jkt: planner.thumbprint },
      tnt: "acme",
      iat: 1767258000,
      exp: 1767258000 + 900,
      dmax: 3,
      grants: parseGrantText("refunds.approve(amount < 10000); email.send"),
    });
  });

  it("refuses to issue a writ that allows nothing", () => {
    const { issuer, planner } = setup();
    expect(() =>
      issueWrit({
        issuer,
        user: { id: "alice", permissions: "docs.read" },
        agent: { ...planner, policy: "email.send" },
      }),
    ).toThrow(expect.objectContaining({ code: "issue.no_authority" }));
  });

  it("narrows to requested grants inside the authority, and refuses broader ones", () => {
    const { issuer, planner } = setup();
    const base = {
      issuer,
      user: { id: "alice", permissions: "refunds.*(amount < 100)" },
      agent: { ...planner, policy: "refunds.*" },
    };
    expect(issueWrit({ ...base, grants: "refunds.approve(amount < 10)" }).grants).toEqual(
      parseGrantText("refunds.approve(amount < 10)"),
    );
    expect(() => issueWrit({ ...base, grants: "refunds.approve" })).toThrow(
      expect.objectContaining({
        code: "delegation.broadens",
        message: expect.stringContaining("Cannot issue"),
      }),
    );
  });

  it("refuses a maxDepth beyond the 8-hop cap", () => {
    const { issuer, planner } = setup();
    expect(() =>
      issueWrit({
        issuer,
        user: { id: "alice", permissions: "a" },
        agent: { ...planner, policy: "a" },
        maxDepth: 8,
      }),
    ).toThrow(TypeError);
  });
});

describe("Session.delegate", () => {
  it("appends a hop bound to the parent, the delegator's key and the delegatee's key", () => {
    const { session, worker, planner, clock } = setup();
    clock.advance(10_000);
    const child = session.delegate(worker, { grants: "refunds.approve(amount < 50)", ttl: 60 });
    const hop = child.writ.leaf;
    expect(child.writ.hops).toHaveLength(2);
    expect(hop.header).toEqual({ alg: "EdDSA", typ: "writ+jwt", jwk: planner.key.publicJwk });
    expect(hop.claims).toMatchObject({
      iss: "planner",
      sub: "alice",
      aud: "worker",
      cnf: { jkt: worker.thumbprint },
      prf: session.writ.root.hash,
      tnt: "acme",
      exp: 1767258010 + 60,
      dmax: 2,
    });
  });

  it("never outlives its parent", () => {
    const { session, worker } = setup();
    const child = session.delegate(worker, { grants: "email.send", ttl: 86_400 });
    expect(child.writ.leaf.claims.exp).toBe(session.writ.root.claims.exp);
  });

  it("throws delegation.broadens before signing anything", () => {
    const { session, worker } = setup();
    expect(() => session.delegate(worker, { grants: "refunds.approve(amount < 20000)" })).toThrow(
      expect.objectContaining({
        code: "delegation.broadens",
        details: expect.objectContaining({ path: "amount" }),
      }),
    );
  });

  it("stops at the depth the parent allows", () => {
    const { session, worker } = setup();
    const leaf = session.delegate(worker, { grants: "email.send", maxDepth: 0 });
    const third = createAgentIdentity("third");
    expect(() => leaf.delegate(third, { grants: "email.send" })).toThrow(
      expect.objectContaining({ code: "delegation.depth_exhausted" }),
    );
    expect(() => session.delegate(worker, { grants: "email.send", maxDepth: 3 })).toThrow(
      expect.objectContaining({ code: "delegation.depth_exhausted" }),
    );
  });

  it("refuses to mint a writ larger than any guard accepts, and every writ it mints is accepted", () => {
    const { issuer, clock } = setup();
    const random = seededRandom("large-writ");
    const grants = parseGrantText(
      Array.from(
        { length: 10 },
        (_, index) =>
          `svc${index}.act(amount < 5000, currency in [USD, EUR], region in [eu-west, eu-north], note startsWith ok)`,
      ).join("; "),
    );
    const agents = Array.from({ length: 8 }, (_, index) => createAgentIdentity(`agent-${index}`));
    const first = agents[0] as (typeof agents)[number];
    let session = new Session(
      first,
      issueWrit({
        issuer,
        user: { id: "alice", permissions: grants },
        agent: { ...first, policy: grants },
        maxDepth: 7,
        clock,
        random,
      }),
      { clock, random },
    );
    const verifier = new WritVerifier({ issuer });
    let refused: unknown;
    for (const agent of agents.slice(1)) {
      try {
        session = session.delegate(agent, { grants });
      } catch (error) {
        refused = error;
        break;
      }
      expect(() => verifier.verify(session.writ.toString(), clock())).not.toThrow();
    }
    expect(refused).toMatchObject({
      code: "delegation.too_large",
      message: expect.stringMatching(/at most 16384/),
    });
    expect(session.writ.hops.length).toBeLessThan(8);
  });

  it("refuses to delegate an expired writ", () => {
    const { session, worker, clock } = setup();
    clock.advance(901_000);
    expect(() => session.delegate(worker, { grants: "email.send" })).toThrow(
      expect.objectContaining({ code: "delegation.expired" }),
    );
  });

  it("only works for the agent and key the writ was issued to", () => {
    const { writ, worker } = setup();
    expect(() => new Session(worker, writ)).toThrow(TypeError);
  });
});

describe("Session.call", () => {
  it("gives a call without an id a fresh time-ordered one, and keeps an id it was given", () => {
    const { session, clock } = setup();
    const call = (callId?: string) =>
      session.call("urn:writ:test", {
        action: "email.send",
        tool: "send",
        args: {},
        ...(callId ? { callId } : {}),
      });
    const first = call().callId;
    clock.advance(1);
    const second = call().callId;
    const sameMillisecond = call().callId;
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The first 48 bits are the clock's milliseconds.
    expect(second.replace("-", "").slice(0, 12)).toBe(clock().toString(16).padStart(12, "0"));
    expect(first < second).toBe(true);
    expect(new Set([first, second, sameMillisecond]).size).toBe(3);
    expect(call("tool-call-7").callId).toBe("tool-call-7");
  });
});

describe("WritVerifier", () => {
  it("verifies a delegated chain and memoizes hop signatures", () => {
    const { session, worker, verifier, clock } = setup();
    const child = session.delegate(worker, { grants: "email.send" });
    const verified = verifier.verify(child.writ.toString(), clock());
    expect(verified).toMatchObject({
      user: "alice",
      tenant: "acme",
      agents: ["planner", "worker"],
    });
    expect(verifier.verify(child.writ.toString(), clock()).leaf.hash).toBe(child.writ.leaf.hash);
  });

  it("answers a writ it verified before with the same frozen facts, and only for the same bytes", () => {
    const { session, worker, verifier, clock } = setup();
    const child = session.delegate(worker, { grants: "email.send" }).writ.toString();
    const first = verifier.verify(child, clock());
    expect(verifier.verify(`${child}`, clock())).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.agents)).toBe(true);
    // The leaf's signature on a root whose claims changed by one character: verified afresh, refused.
    const [root = "", leaf = ""] = child.split("~");
    const [header, payload, signature] = root.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: "mallory" })).toString("base64url");
    expect(() => verifier.verify(`${header}.${forged}.${signature}~${leaf}`, clock())).toThrow(
      expect.objectContaining({ code: "writ.bad_signature" }),
    );
  });

  it("round-trips a writ through its serialized form", () => {
    const { session, worker } = setup();
    const child = session.delegate(worker, { grants: "email.send" });
    expect(Writ.parse(child.writ.toString()).toString()).toBe(child.writ.toString());
    expect(JSON.stringify({ writ: child.writ })).toContain(child.writ.toString());
  });

  it("applies the clock skew to expiry, then refuses", () => {
    const { writ, verifier, clock } = setup();
    clock.advance((900 + 60) * 1000);
    expect(() => verifier.verify(writ.toString(), clock())).not.toThrow();
    clock.advance(1000);
    expect(() => verifier.verify(writ.toString(), clock())).toThrow(
      expect.objectContaining({ code: "writ.expired" }),
    );
  });

  it("keeps verifying writs signed before an issuer key rotation, until the key is retired", () => {
    const { writ, issuer, verifier, clock } = setup();
    const old = issuer.active.kid;
    issuer.rotate();
    expect(() => verifier.verify(writ.toString(), clock())).not.toThrow();
    issuer.retire(old);
    expect(() => verifier.verify(writ.toString(), clock())).toThrow(
      expect.objectContaining({ code: "writ.unknown_key" }),
    );
  });
});

describe("inspectWrit", () => {
  it("shows who delegated what to whom, and until when", () => {
    const { session, worker, clock } = setup();
    const child = session.delegate(worker, { grants: "refunds.approve(amount < 50)", ttl: 120 });
    const inspected = inspectWrit(child.writ, { clock });
    expect(inspected.hops.map((hop) => [hop.from, hop.to])).toEqual([
      ["writ:test", "planner"],
      ["planner", "worker"],
    ]);
    expect(formatWritTree(inspected, { clock })).toBe(
      [
        "writ for user alice (tenant acme): 2 hops, expires 2026-01-01T09:02:00.000Z (in 2m 0s)",
        `└─ issuer writ:test → planner   expires 2026-01-01T09:15:00.000Z (in 15m 0s), may delegate 3 more, jti ${child.writ.root.claims.jti}`,
        "      refunds.approve(amount < 10000)",
        "      email.send",
        `   └─ planner → worker   expires 2026-01-01T09:02:00.000Z (in 2m 0s), may delegate 2 more, jti ${child.writ.leaf.claims.jti}`,
        "         refunds.approve(amount < 50)",
      ].join("\n"),
    );
  });
});
