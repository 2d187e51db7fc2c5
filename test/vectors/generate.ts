/**
 * Generates the writ and proof test vectors from fixed keys, a fixed clock and
 * seeded randomness, so the same code always yields the same bytes.
 *
 *   pnpm vectors        # rewrites test/vectors/writ-vectors.json
 *
 * Regenerate deliberately, only when the token format changes on purpose; the
 * vector suite fails while the file and this generator disagree.
 */
import { createHash, createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  type AgentIdentity,
  type Call,
  createAgentIdentity,
  type Grant,
  IssuerKeySet,
  issueWrit,
  KeyPair,
  parseGrantText,
  Session,
  Writ,
} from "@writ/core";
import { canonicalJson } from "@writ/core/backend";
import { fixedClock, seededRandom } from "@writ/core/testing";

export const VECTOR_FILE = fileURLToPath(new URL("./writ-vectors.json", import.meta.url));

const NOW = Date.UTC(2026, 0, 1, 9, 0, 0);
const ISSUED = NOW - 300_000;
const AUDIENCE = "urn:writ:vectors";

/** One call made against the vector world, and the code its decision must carry. */
export interface VectorStep {
  readonly call: Omit<Call, "approvalId"> & { readonly args: unknown };
  /** Use the approval id of the decision made at this earlier step. */
  readonly approvalFrom?: number;
  readonly expect: string;
  /** The hop the decision must name, where one is responsible. */
  readonly hop?: number;
  /** When the guard decides, in epoch ms. Default: the world's `now`. */
  readonly at?: number;
}

export interface Vector {
  readonly name: string;
  /** The DESIGN §9 attack (or valid case) this vector covers. */
  readonly attack: string;
  readonly description: string;
  readonly revocations?: readonly { readonly kind: string; readonly id: string }[];
  readonly steps: readonly (
    | VectorStep
    | { readonly decideApproval: { readonly from: number; readonly approved: boolean } }
  )[];
}

export interface VectorFile {
  readonly comment: string;
  readonly world: {
    readonly issuer: string;
    readonly jwks: unknown;
    readonly audience: string;
    readonly now: number;
    readonly users: readonly { readonly id: string; readonly permissions: readonly Grant[] }[];
    readonly agents: readonly {
      readonly id: string;
      readonly policy: readonly Grant[];
      readonly keys: readonly string[];
    }[];
    readonly sets: Readonly<Record<string, readonly string[]>>;
  };
  readonly vectors: readonly Vector[];
}

const b64 = (value: string | Buffer) => Buffer.from(value).toString("base64url");
const seed = (name: string) => createHash("sha256").update(`writ-vectors:${name}`).digest();

/** Signs arbitrary header and payload text: the attacker's tool. */
function craft(header: object | string, payload: object | string, key: KeyPair): string {
  const text = (part: object | string) => (typeof part === "string" ? part : JSON.stringify(part));
  const input = `${b64(text(header))}.${b64(text(payload))}`;
  return `${input}.${b64(key.sign(Buffer.from(input)))}`;
}

function decodePart(compact: string, part: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(compact.split(".")[part] as string, "base64url").toString("utf8"));
}

const hopsOf = (writ: Writ | string) => writ.toString().split("~");

export function generateVectors(): VectorFile {
  const clock = fixedClock(ISSUED);
  const random = seededRandom("writ-vectors");
  const issuerKey = KeyPair.fromSeed(seed("issuer"));
  const issuer = IssuerKeySet.fromPrivate({
    issuer: "writ:vectors",
    keys: [{ kid: issuerKey.thumbprint, status: "active", jwk: issuerKey.exportPrivateJwk() }],
  });
  const agent = (id: string): AgentIdentity => createAgentIdentity(id, KeyPair.fromSeed(seed(id)));
  const planner = agent("planner");
  const worker = agent("worker");
  const subWorker = agent("sub-worker");
  const attacker = agent("attacker");
  const attackerKey = attacker.key;

  const permissions = parseGrantText(
    'refunds.approve(amount < 5000, currency in [USD, EUR]); refunds.approve(amount >= 5000, amount < 20000) needs approval; email.send(to in @crm.contacts); docs.read(label == public); files.read(path startsWith "/srv/public/"); http.fetch(url startsWith "https://api.example.com/v1/"); webhook.post(url startsWith "https://hooks.example.com")',
  );
  const policy = parseGrantText(
    "refunds.*; email.send; docs.read; files.read; http.fetch; webhook.post",
  );
  const issueFor = (user: string, options: { ttl?: number; grants?: string } = {}) =>
    new Session(
      planner,
      issueWrit({
        issuer,
        user: { id: user, permissions },
        agent: { ...planner, policy },
        tenant: "acme",
        clock,
        random,
        ...options,
      }),
      { clock, random },
    );

  const root = issueFor("alice");
  const middle = root.delegate(worker, {
    grants:
      "refunds.approve(amount < 1000, currency in [USD, EUR]); email.send(to in @crm.contacts)",
  });
  const leaf = middle.delegate(subWorker, {
    grants: "refunds.approve(amount < 100, currency in [USD])",
  });

  clock.set(NOW);
  type CallShape = { readonly action: string; readonly tool: string; readonly args: unknown };
  const refund = (amount: unknown, currency = "USD"): CallShape => ({
    action: "refunds.approve",
    tool: "approve_refund",
    args: { amount, currency },
  });
  let callNumber = 0;
  const call = (
    session: Session,
    input = refund(50),
    overrides: Partial<Call> = {},
  ): VectorStep["call"] => ({
    ...session.call(AUDIENCE, { ...input, callId: `call-${++callNumber}` }),
    ...overrides,
  });
  /**
   * A call whose writ is replaced by a tampered one. Verification stops at the
   * writ, so the (honest) proof beside it never matters.
   */
  const withWrit = (writ: string, input = refund(50)): VectorStep["call"] => ({
    ...call(root, input),
    writ,
  });

  const rootClaims = decodePart(hopsOf(root.writ)[0] as string, 1);
  const rootHeader = decodePart(hopsOf(root.writ)[0] as string, 0);
  const [rootHop, middleHop, leafHop] = hopsOf(leaf.writ) as [string, string, string];
  const middleClaims = decodePart(middleHop, 1);
  const reRoot = (claims: object | string, header: object = rootHeader, key: KeyPair = issuerKey) =>
    craft(header, claims, key);
  const reMiddle = (claims: object, header: object = decodePart(middleHop, 0)) =>
    craft(header, { ...middleClaims, ...claims }, planner.key);

  const deny = (
    name: string,
    attack: string,
    description: string,
    stepCall: VectorStep["call"],
    expect: string,
    hop?: number,
  ): Vector => ({
    name,
    attack,
    description,
    steps: [{ call: stepCall, expect, ...(hop === undefined ? {} : { hop }) }],
  });

  const bob = issueFor("bob");
  const bobMiddle = bob.delegate(worker, {
    grants: "refunds.approve(amount < 1000, currency in [USD, EUR])",
  });

  const vectors: Vector[] = [
    deny(
      "valid-root",
      "valid",
      "A root writ used by its own agent within its grants.",
      call(root),
      "granted",
    ),
    deny(
      "valid-three-hops",
      "valid",
      "planner → worker → sub-worker, a call inside every hop's grants.",
      call(leaf),
      "granted",
    ),
    deny(
      "alg-none",
      "alg none",
      "Root re-encoded with alg none and no signature.",
      withWrit(
        `${b64(JSON.stringify({ ...rootHeader, alg: "none" }))}.${hopsOf(root.writ)[0]?.split(".")[1]}.`,
      ),
      "writ.bad_header",
      0,
    ),
    deny(
      "alg-hs256-key-confusion",
      "alg HS",
      "Root signed with HS256 using the issuer's public key bytes as the HMAC secret.",
      withWrit(
        (() => {
          const input = `${b64(JSON.stringify({ ...rootHeader, alg: "HS256" }))}.${b64(JSON.stringify(rootClaims))}`;
          return `${input}.${b64(createHmac("sha256", issuerKey.publicJwk.x).update(input).digest())}`;
        })(),
      ),
      "writ.bad_header",
      0,
    ),
    deny(
      "alg-swap-es256",
      "alg swap",
      "Root header claims ES256 over an Ed25519 signature.",
      withWrit(reRoot(rootClaims, { ...rootHeader, alg: "ES256" })),
      "writ.bad_header",
      0,
    ),
    deny(
      "typ-confusion-proof-as-writ",
      "type confusion",
      "An invocation proof presented as a writ.",
      withWrit(call(root).proof),
      "writ.bad_header",
      0,
    ),
    deny(
      "typ-confusion-hop-as-proof",
      "type confusion",
      "A delegated hop presented as the invocation proof.",
      { ...call(leaf), proof: leafHop },
      "proof.bad_header",
    ),
    deny(
      "typ-missing",
      "type confusion",
      "Root without typ.",
      withWrit(reRoot(rootClaims, { alg: "EdDSA", kid: issuerKey.thumbprint })),
      "writ.bad_header",
      0,
    ),
    deny(
      "kid-unknown",
      "kid injection",
      "Root names a kid the issuer never published.",
      withWrit(reRoot(rootClaims, { ...rootHeader, kid: attackerKey.thumbprint }, attackerKey)),
      "writ.unknown_key",
      0,
    ),
    deny(
      "kid-path-traversal",
      "kid injection",
      "Root kid is a path, hoping for a file lookup.",
      withWrit(reRoot(rootClaims, { ...rootHeader, kid: "../../etc/keys/attacker" }, attackerKey)),
      "writ.unknown_key",
      0,
    ),
    deny(
      "jku-injection",
      "jku injection",
      "Root header points jku at an attacker's JWKS.",
      withWrit(
        reRoot(rootClaims, { ...rootHeader, jku: "https://attacker.test/jwks.json" }, attackerKey),
      ),
      "writ.bad_header",
      0,
    ),
    deny(
      "x5u-injection",
      "jku injection",
      "Root header points x5u at an attacker's certificate.",
      withWrit(
        reRoot(rootClaims, { ...rootHeader, x5u: "https://attacker.test/cert.pem" }, attackerKey),
      ),
      "writ.bad_header",
      0,
    ),
    deny(
      "x5c-injection",
      "jku injection",
      "Root header embeds a certificate chain.",
      withWrit(reRoot(rootClaims, { ...rootHeader, x5c: ["MIIB"] }, attackerKey)),
      "writ.bad_header",
      0,
    ),
    deny(
      "jwk-injection-root",
      "jwk injection",
      "Root carries the attacker's own key in jwk and is signed with it.",
      withWrit(
        reRoot(
          rootClaims,
          { alg: "EdDSA", typ: "writ+jwt", jwk: attackerKey.publicJwk },
          attackerKey,
        ),
      ),
      "writ.bad_header",
      0,
    ),
    deny(
      "jwk-private-member",
      "jwk injection",
      "A hop header jwk carrying a private key member.",
      withWrit(
        `${rootHop}~${reMiddle({}, { alg: "EdDSA", typ: "writ+jwt", jwk: planner.key.exportPrivateJwk() })}`,
      ),
      "writ.bad_header",
      1,
    ),
    deny(
      "crit-unknown",
      "alg swap",
      "Root header marks an unknown extension critical.",
      withWrit(reRoot(rootClaims, { ...rootHeader, crit: ["exp2"], exp2: 1 })),
      "writ.bad_header",
      0,
    ),
    deny(
      "byte-flip-signature",
      "byte flips",
      "One bit of the root signature flipped.",
      withWrit(
        (() => {
          const [h, p, s] = (hopsOf(root.writ)[0] as string).split(".") as [string, string, string];
          const bytes = Buffer.from(s, "base64url");
          bytes[10] = (bytes[10] as number) ^ 1;
          return `${h}.${p}.${b64(bytes)}`;
        })(),
      ),
      "writ.bad_signature",
      0,
    ),
    deny(
      "byte-flip-payload",
      "byte flips",
      "The root payload re-encoded with a bigger bound, original signature kept.",
      withWrit(
        (() => {
          const [h, , s] = (hopsOf(root.writ)[0] as string).split(".") as [string, string, string];
          const grants = parseGrantText("refunds.approve(amount < 5000000)");
          return `${h}.${b64(JSON.stringify({ ...rootClaims, grants }))}.${s}`;
        })(),
      ),
      "writ.bad_signature",
      0,
    ),
    deny(
      "hop-reorder",
      "hop reorder",
      "The middle and leaf hops swapped.",
      withWrit(`${rootHop}~${leafHop}~${middleHop}`),
      "writ.key_mismatch",
      1,
    ),
    deny(
      "hop-drop",
      "hop drop",
      "The middle hop dropped.",
      withWrit(`${rootHop}~${leafHop}`),
      "writ.key_mismatch",
      1,
    ),
    deny(
      "hop-insert",
      "hop insert",
      "An attacker-signed hop inserted between the root and the worker's hop.",
      withWrit(
        `${rootHop}~${craft({ alg: "EdDSA", typ: "writ+jwt", jwk: attackerKey.publicJwk }, { ...middleClaims, iss: "planner", aud: "attacker", cnf: { jkt: attacker.thumbprint } }, attackerKey)}~${middleHop}`,
      ),
      "writ.key_mismatch",
      1,
    ),
    deny(
      "cross-user-splice",
      "cross-user splicing",
      "Bob's delegated hop appended to Alice's root.",
      withWrit(`${rootHop}~${hopsOf(bobMiddle.writ)[1]}`),
      "writ.broken_chain",
      1,
    ),
    deny(
      "escalation-hand-signed",
      "escalation at delegation",
      "The planner hand-signs a hop broader than its own root (delegate() would have thrown).",
      withWrit(
        `${rootHop}~${reMiddle({ grants: parseGrantText("refunds.approve(amount < 1000000)") })}`,
        refund(900_000),
      ),
      "writ.broadens",
      1,
    ),
    deny(
      "escalation-new-action",
      "escalation at delegation",
      "A hand-signed hop adding an action the parent never had.",
      withWrit(`${rootHop}~${reMiddle({ grants: parseGrantText("payroll.run") })}`, {
        action: "payroll.run",
        tool: "run_payroll",
        args: {},
      }),
      "writ.broadens",
      1,
    ),
    deny(
      "stolen-writ-other-key",
      "stolen writ",
      "The sub-worker's writ used with a proof signed by the attacker's key.",
      {
        ...call(leaf),
        // The attacker holds the writ but not the sub-worker's key: it signs the proof with its own.
        proof: new Session({ ...subWorker, key: attackerKey }, leaf.writ, { clock, random }).prove({
          audience: AUDIENCE,
          ...refund(50),
        }),
      },
      "proof.key_mismatch",
    ),
    {
      name: "proof-replay",
      attack: "proof replay",
      description: "The same call, proof and all, sent twice.",
      steps: (() => {
        const once = call(leaf);
        return [
          { call: once, expect: "granted" },
          { call: once, expect: "proof.replayed" },
        ];
      })(),
    },
    deny(
      "proof-other-args",
      "proof for other args",
      "A proof signed for amount 50 sent with amount 99.",
      { ...call(leaf), args: { amount: 99, currency: "USD" } },
      "proof.args_mismatch",
    ),
    deny(
      "proof-other-tool",
      "proof for other tool",
      "A proof signed for approve_refund sent to bulk_refund.",
      { ...call(leaf), tool: "bulk_refund" },
      "proof.wrong_tool",
    ),
    deny(
      "proof-other-action",
      "proof for other tool",
      "A proof signed for refunds.approve sent as refunds.issue.",
      { ...call(leaf), action: "refunds.issue" },
      "proof.wrong_action",
    ),
    deny(
      "proof-other-audience",
      "proof for other audience",
      "A proof addressed to another guard.",
      { ...leaf.call("urn:writ:other-guard", { ...refund(50), callId: `call-${++callNumber}` }) },
      "proof.wrong_audience",
    ),
    deny(
      "proof-other-writ",
      "proof for other args",
      "A proof made under a sibling writ (same key, other leaf hop).",
      {
        ...call(leaf),
        proof: call(
          middle.delegate(subWorker, {
            grants: "refunds.approve(amount < 100, currency in [USD])",
          }),
        ).proof,
      },
      "proof.wrong_writ",
    ),
    deny(
      "proof-expired",
      "expiry at every level",
      "A proof signed 121 seconds before the call.",
      (() => {
        clock.set(NOW - 121_000);
        const stale = call(leaf);
        clock.set(NOW);
        return stale;
      })(),
      "proof.expired",
    ),
    deny(
      "expired-root",
      "expiry at every level",
      "Every hop past its exp (beyond the 60 s skew).",
      (() => {
        clock.set(ISSUED - 3_600_000);
        const expired = issueFor("alice", { ttl: 60 });
        clock.set(NOW);
        return call(expired);
      })(),
      "writ.expired",
      0,
    ),
    deny(
      "expired-middle",
      "expiry at every level",
      "The middle hop (and so the leaf) expired; the root is valid.",
      (() => {
        clock.set(ISSUED);
        const shortMiddle = root.delegate(worker, {
          grants: "refunds.approve(amount < 1000, currency in [USD, EUR])",
          ttl: 1,
        });
        const shortLeaf = shortMiddle.delegate(subWorker, {
          grants: "refunds.approve(amount < 100, currency in [USD])",
        });
        clock.set(NOW);
        return call(shortLeaf);
      })(),
      "writ.expired",
      1,
    ),
    deny(
      "expired-leaf",
      "expiry at every level",
      "Only the leaf hop expired.",
      (() => {
        clock.set(ISSUED);
        const shortLeaf = middle.delegate(subWorker, {
          grants: "refunds.approve(amount < 100, currency in [USD])",
          ttl: 1,
        });
        clock.set(NOW);
        return call(shortLeaf);
      })(),
      "writ.expired",
      2,
    ),
    deny(
      "not-yet-valid",
      "expiry at every level",
      "A root issued 10 minutes in the future.",
      withWrit(reRoot({ ...rootClaims, iat: NOW / 1000 + 600, exp: NOW / 1000 + 1200 })),
      "writ.not_yet_valid",
      0,
    ),
    deny(
      "outlives-parent",
      "expiry at every level",
      "A hand-signed hop that expires after its parent.",
      withWrit(`${rootHop}~${reMiddle({ exp: (middleClaims.exp as number) + 3600 })}`),
      "writ.outlives_parent",
      1,
    ),
    deny(
      "depth-not-decreasing",
      "depth",
      "A hand-signed hop keeping its parent's dmax.",
      withWrit(`${rootHop}~${reMiddle({ dmax: rootClaims.dmax })}`),
      "writ.depth_exceeded",
      1,
    ),
    deny(
      "too-many-hops",
      "depth",
      "Nine hops, refused before any signature is checked.",
      withWrit(Array.from({ length: 9 }, () => rootHop).join("~")),
      "writ.too_many_hops",
    ),
    deny(
      "oversized",
      "oversized input",
      "A 17 KiB writ, refused before any parsing or crypto.",
      withWrit(`${rootHop}~${"A".repeat(17 * 1024)}`),
      "writ.too_large",
    ),
    deny(
      "too-many-grants",
      "oversized input",
      "A root with 33 grants (signed by the real issuer key).",
      withWrit(
        reRoot({
          ...rootClaims,
          grants: Array.from({ length: 33 }, (_, index) => ({ action: `a${index}` })),
        }),
      ),
      "writ.too_many_grants",
      0,
    ),
    deny(
      "wrong-issuer",
      "kid injection",
      "A root claiming another issuer, signed with a published key.",
      withWrit(reRoot({ ...rootClaims, iss: "writ:evil" })),
      "writ.wrong_issuer",
      0,
    ),
    deny(
      "subject-switch",
      "cross-user splicing",
      "A hand-signed hop acting for bob under alice's root.",
      withWrit(`${rootHop}~${reMiddle({ sub: "bob" })}`),
      "writ.subject_mismatch",
      1,
    ),
    deny(
      "tenant-switch",
      "cross-user splicing",
      "A hand-signed hop moving to another tenant.",
      withWrit(`${rootHop}~${reMiddle({ tnt: "globex" })}`),
      "writ.tenant_mismatch",
      1,
    ),
    deny(
      "duplicate-json-keys",
      "duplicate JSON keys",
      'A root payload with "sub" twice (alice, then bob): parsers disagree on which counts.',
      withWrit(reRoot(`${JSON.stringify(rootClaims).slice(0, -1)},"sub":"bob"}`)),
      "writ.malformed",
      0,
    ),
    deny(
      "set-values-in-grant",
      "set values smuggled in a token",
      "A grant carrying its own member list for the named set.",
      withWrit(
        `${rootHop}~${reMiddle({ grants: [{ action: "email.send", when: { to: { inSet: "crm.contacts" } }, members: ["eve@evil.test"] }] })}`,
        { action: "email.send", tool: "send_email", args: { to: "eve@evil.test" } },
      ),
      "writ.malformed",
      1,
    ),
    deny(
      "set-values-as-operand",
      "set values smuggled in a token",
      "inSet given a literal list instead of a set name.",
      withWrit(
        `${rootHop}~${reMiddle({ grants: [{ action: "email.send", when: { to: { inSet: ["eve@evil.test"] } } }] })}`,
        { action: "email.send", tool: "send_email", args: { to: "eve@evil.test" } },
      ),
      "writ.malformed",
      1,
    ),
    deny(
      "set-values-as-claim",
      "set values smuggled in a token",
      "A root with a sets claim defining crm.contacts.",
      withWrit(reRoot({ ...rootClaims, sets: { "crm.contacts": ["eve@evil.test"] } })),
      "writ.malformed",
      0,
    ),
    deny(
      "set-not-member",
      "set values smuggled in a token",
      "An email to an address outside the live CRM set.",
      call(middle, { action: "email.send", tool: "send_email", args: { to: "eve@evil.test" } }),
      "grant.condition_failed",
      0,
    ),
    deny(
      "condition-missing-field",
      "condition edges",
      "amount missing from the arguments.",
      call(leaf, { action: "refunds.approve", tool: "approve_refund", args: { currency: "USD" } }),
      "grant.condition_failed",
      0,
    ),
    deny(
      "condition-string-number",
      "condition edges",
      'amount sent as the string "49".',
      call(leaf, refund("49")),
      "grant.condition_failed",
      0,
    ),
    deny(
      "condition-unsafe-integer",
      "condition edges",
      "amount 2^53+1, which JSON cannot carry exactly.",
      call(leaf, refund(2 ** 53 + 2)),
      "grant.condition_failed",
      0,
    ),
    deny(
      "condition-nan",
      "condition edges",
      'amount NaN (encoded as {"$number":"NaN"}): no canonical form, no hash.',
      { ...call(leaf), args: { amount: { $number: "NaN" }, currency: "USD" } },
      "proof.args_mismatch",
    ),
    deny(
      "condition-leaf-bound",
      "escalation at delegation",
      "A refund inside the root's and middle's bounds but not the leaf's.",
      call(leaf, refund(500)),
      "grant.condition_failed",
      2,
    ),
    ...(["hop", "agent", "user", "key", "issuer_key"] as const).map((kind) => ({
      name: `revoked-${kind.replace("_", "-")}`,
      attack: "revocation of each kind",
      description: `The ${kind} in the chain is revoked.`,
      revocations: [
        {
          kind,
          id: {
            hop: middleClaims.jti as string,
            agent: "worker",
            user: "alice",
            key: worker.thumbprint,
            issuer_key: issuerKey.thumbprint,
          }[kind],
        },
      ],
      steps: [{ call: call(leaf), expect: `revoked.${kind}` }],
    })),
    {
      name: "approval-replay",
      attack: "approval replay",
      description: "A $6,000 refund approved once, then the same approval presented again.",
      steps: [
        { call: call(root, refund(6000)), expect: "approval.required" },
        { decideApproval: { from: 0, approved: true } },
        { call: call(root, refund(6000)), approvalFrom: 0, expect: "approval.granted" },
        { call: call(root, refund(6000)), approvalFrom: 0, expect: "approval.consumed" },
      ],
    },
    {
      name: "approval-for-other-args",
      attack: "approval replay",
      description: "An approval for $6,000 presented with a $19,000 call.",
      steps: [
        { call: call(root, refund(6000)), expect: "approval.required" },
        { decideApproval: { from: 0, approved: true } },
        { call: call(root, refund(19_000)), approvalFrom: 0, expect: "approval.invalid" },
      ],
    },
  ];

  /** A hop header's key with one more member: refused whatever the member, as jose does. */
  const jwkWith = (extra: Record<string, unknown>) =>
    withWrit(
      `${rootHop}~${reMiddle({}, { alg: "EdDSA", typ: "writ+jwt", jwk: { ...planner.key.publicJwk, ...extra } })}`,
    );
  const proofClaims = (proof: string) => decodePart(proof, 1);
  for (const [name, extra] of [
    ["alg", { alg: "EdDSA" }],
    ["use", { use: "sig" }],
    ["key-ops", { key_ops: ["verify"] }],
    ["kid-string", { kid: planner.thumbprint }],
    ["kid-number", { kid: 7 }],
    ["ext", { ext: true }],
  ] as const) {
    vectors.push(
      deny(
        `jwk-member-${name}`,
        "jwk members",
        `A delegated hop's header key carries "${Object.keys(extra)[0]}": only kty, crv and x are accepted.`,
        jwkWith(extra),
        "writ.bad_header",
        1,
      ),
    );
  }
  vectors.push(
    deny(
      "proof-jwk-member-kid",
      "jwk members",
      'A proof whose header key carries "kid" besides kty, crv and x.',
      (() => {
        const honest = call(leaf);
        return {
          ...honest,
          proof: craft(
            { alg: "EdDSA", typ: "writ-call+jwt", jwk: { ...subWorker.key.publicJwk, kid: "k" } },
            proofClaims(honest.proof as string),
            subWorker.key,
          ),
        };
      })(),
      "proof.bad_header",
    ),
    deny(
      "jti-reused-in-chain",
      "jti reuse",
      "A hand-signed hop reusing its root's jti: a hop id must name one hop.",
      withWrit(`${rootHop}~${reMiddle({ jti: rootClaims.jti })}`),
      "writ.jti_reused",
      1,
    ),
    {
      name: "jti-reused-across-chains",
      attack: "jti reuse",
      description:
        "Bob's middle hop re-signed by the planner with the jti of Alice's middle hop, after Alice's was recorded.",
      steps: (() => {
        const [bobRoot, bobMiddleHop] = hopsOf(bobMiddle.writ) as [string, string];
        const squatted = craft(
          decodePart(bobMiddleHop, 0),
          { ...decodePart(bobMiddleHop, 1), jti: middleClaims.jti },
          planner.key,
        );
        const squatter = new Session(worker, Writ.parse(`${bobRoot}~${squatted}`), {
          clock,
          random,
        });
        return [
          { call: call(middle), expect: "granted" },
          { call: call(squatter), expect: "writ.jti_reused", hop: 1 },
        ];
      })(),
    },
    {
      name: "approval-for-other-tool",
      attack: "approval replay",
      description:
        "An approval given for approve_refund spent by bulk_refund, another tool mapped to the same action, with the same arguments.",
      steps: [
        { call: call(root, refund(7000)), expect: "approval.required" },
        { decideApproval: { from: 0, approved: true } },
        {
          call: call(root, { ...refund(7000), tool: "bulk_refund" }),
          approvalFrom: 0,
          expect: "approval.invalid",
        },
        { call: call(root, refund(7000)), approvalFrom: 0, expect: "approval.granted" },
      ],
    },
    {
      name: "proof-replay-at-window-end",
      attack: "proof replay",
      description:
        "A proof issued 60 s ahead (the most skew allowed), used, then replayed at the last millisecond it is still fresh (120 s later), then just after.",
      steps: (() => {
        clock.set(NOW + 60_000);
        const ahead = call(leaf);
        clock.set(NOW);
        return [
          { call: ahead, expect: "granted" },
          { call: ahead, expect: "proof.replayed", at: NOW + 120_000 },
          { call: ahead, expect: "proof.expired", at: NOW + 121_000 },
        ];
      })(),
    },
    deny(
      "separators-only",
      "oversized input",
      "16 KiB of hop separators, refused at the hop bound without splitting them all.",
      withWrit("~".repeat(16 * 1024)),
      "writ.too_many_hops",
    ),
    deny(
      "dots-only",
      "oversized input",
      "16 KiB of dots in one hop, refused as malformed without splitting them all.",
      withWrit(".".repeat(16 * 1024)),
      "writ.malformed",
      0,
    ),
  );

  /** A call whose argument must stay under a prefix the user's permissions set. */
  const under = (action: string, tool: string, key: string, value: string) =>
    call(root, { action, tool, args: { [key]: value } });
  const file = (path: string) => under("files.read", "read_file", "path", path);
  const fetchUrl = (url: string) => under("http.fetch", "fetch", "url", url);
  const webhook = (url: string) => under("webhook.post", "post_webhook", "url", url);
  vectors.push(
    deny(
      "prefix-within",
      "valid",
      "A path inside its prefix.",
      file("/srv/public/reports/q1.pdf"),
      "granted",
    ),
    deny(
      "prefix-url-within",
      "valid",
      "A URL inside its prefix, with a query.",
      fetchUrl("https://api.example.com/v1/orders?id=7"),
      "granted",
    ),
    deny(
      "prefix-host-within",
      "valid",
      "A URL on the host a host-only prefix names.",
      webhook("https://hooks.example.com/incoming/42"),
      "granted",
    ),
  );
  for (const [name, description, stepCall] of [
    [
      "dot-dot-query",
      "`..` ended by `?`: the URL parser resolves it.",
      fetchUrl("https://api.example.com/v1/..?admin=1"),
    ],
    ["dot-dot-fragment", "`..` ended by `#`.", fetchUrl("https://api.example.com/v1/..#top")],
    [
      "dot-dot-path-parameter",
      "`..;` climbs on servers that strip path parameters.",
      file("/srv/public/..;/secrets"),
    ],
    [
      "encoded-dots",
      "`%2e%2e` is `..` to the URL parser.",
      fetchUrl("https://api.example.com/v1/%2e%2e/admin"),
    ],
    ["encoded-slash", "`..%2f` is `../` once decoded.", file("/srv/public/..%2fsecrets")],
    ["encoded-backslash", "`..%5c` is `..\\` once decoded.", file("/srv/public/..%5csecrets")],
    [
      "backslash",
      "`\\` separates segments in special URLs and on Windows.",
      fetchUrl("https://api.example.com/v1/..\\admin"),
    ],
    [
      "double-encoded",
      "`%252e%252e` is `..` once decoded twice.",
      file("/srv/public/%252e%252e/secrets"),
    ],
    [
      "tab",
      "The URL parser drops a tab, leaving `..`.",
      fetchUrl("https://api.example.com/v1/.\t./admin"),
    ],
    [
      "newline",
      "The URL parser drops a line feed, leaving `..`.",
      fetchUrl("https://api.example.com/v1/.\n./admin"),
    ],
    [
      "nul",
      "A NUL: C APIs stop at it, and no tool needs one.",
      file("/srv/public/report.pdf\u0000.exe"),
    ],
    [
      "host-extension",
      "A host-only prefix extended into another host.",
      webhook("https://hooks.example.com.evil.test/x"),
    ],
    [
      "userinfo",
      "A host-only prefix turned into user info before another host.",
      webhook("https://hooks.example.com@evil.test/x"),
    ],
    [
      "port",
      "A host-only prefix extended with another port.",
      webhook("https://hooks.example.com:8443/x"),
    ],
  ] as const) {
    vectors.push(
      deny(`prefix-${name}`, "prefix escape", description, stepCall, "grant.condition_failed", 0),
    );
  }

  // Budgets (DESIGN §7b), made last so that the vectors above keep their bytes.
  const budgeted = root.delegate(worker, {
    grants:
      "refunds.approve(amount < 1000, currency in [USD, EUR]) within sum(amount) <= 1000 per 1d",
  });
  const budgetedLeaf = budgeted.delegate(subWorker, {
    grants: "refunds.approve(amount < 500, currency in [USD])",
  });
  const [budgetedRoot, budgetedMiddle, budgetedLeafHop] = hopsOf(budgetedLeaf.writ) as [
    string,
    string,
    string,
  ];
  vectors.push(
    {
      name: "budget-chain-daily",
      attack: "budget across a chain",
      description:
        "A sub-worker within its own per-call limit spends the daily budget its parent's hop carries: the third $400 refund would take the $1,000 over.",
      steps: [
        { call: call(budgetedLeaf, refund(400)), expect: "granted" },
        { call: call(budgeted, refund(400)), expect: "granted" },
        { call: call(budgetedLeaf, refund(400)), expect: "budget.exceeded", hop: 1 },
        { call: call(budgetedLeaf, refund(200)), expect: "granted" },
      ],
    },
    deny(
      "budget-amount-negative",
      "budget across a chain",
      "A negative refund would give budget back: a summed argument must be a number of 0 or more.",
      call(budgetedLeaf, refund(-400)),
      "budget.amount_invalid",
      1,
    ),
    deny(
      "budget-broadened-by-hand",
      "escalation at delegation",
      "The worker hand-signs a hop with a daily budget wider than the one it holds (delegate() would have thrown).",
      withWrit(
        `${budgetedRoot}~${budgetedMiddle}~${craft(
          decodePart(budgetedLeafHop, 0),
          {
            ...decodePart(budgetedLeafHop, 1),
            grants: parseGrantText(
              "refunds.approve(amount < 500, currency in [USD]) within sum(amount) <= 5000 per 1d",
            ),
          },
          worker.key,
        )}`,
      ),
      "writ.broadens",
      2,
    ),
  );

  return {
    comment: "Generated by test/vectors/generate.ts (pnpm vectors). Do not edit by hand.",
    world: {
      issuer: issuer.issuer,
      jwks: issuer.jwks(),
      audience: AUDIENCE,
      now: NOW,
      users: [
        { id: "alice", permissions },
        { id: "bob", permissions },
      ],
      agents: [planner, worker, subWorker].map((identity) => ({
        id: identity.id,
        policy,
        keys: [identity.thumbprint],
      })),
      sets: { "crm.contacts": ["ann@example.com"] },
    },
    vectors: JSON.parse(canonicalJson(vectors.map(encodeSpecialNumbers))) as Vector[],
  };
}

/** JSON has no NaN or 2^53+1: the NaN vector is written with a marker the runner decodes. */
function encodeSpecialNumbers(vector: Vector): Vector {
  return JSON.parse(
    JSON.stringify(vector, (_key, value) =>
      typeof value === "number" && !Number.isSafeInteger(value) && Number.isInteger(value)
        ? { $number: String(value) }
        : value,
    ),
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = generateVectors();
  writeFileSync(VECTOR_FILE, `${JSON.stringify(file, null, 2)}\n`);
  console.log(`Wrote ${file.vectors.length} vectors to ${VECTOR_FILE}`);
}
