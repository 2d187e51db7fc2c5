import { z } from "@hono/zod-openapi";
import { EXPORT_FORMATS } from "@writ/store";
import { EpochMsSchema, PrincipalIdSchema } from "./common-schemas.js";

const EVENT_KINDS = [
  "decision",
  "outcome",
  "delegation",
  "issue",
  "revocation",
  "approval",
  "admin",
] as const;
const EFFECTS = ["allow", "deny", "approval_required"] as const;

const text = (max: number) => z.string().max(max);
const DetailSchema = z
  .record(z.string().max(64), z.union([text(2048), z.number(), z.boolean(), z.null()]))
  .refine((detail) => Object.keys(detail).length <= 32, "At most 32 detail members.");
const ChainSchema = z.object({
  agents: z.array(PrincipalIdSchema).max(8).readonly(),
  hops: z.array(text(128)).max(8).readonly(),
});

/**
 * An event a remote guard appends. Remote writers may append what a guard
 * records (decisions, outcomes, approvals); the other kinds are written by
 * the store itself when it issues, revokes, delegates or administers.
 */
export const LedgerEntrySchema = z
  .object({
    kind: z.enum(["decision", "outcome", "approval"]),
    time: EpochMsSchema,
    tenant: PrincipalIdSchema.optional(),
    callId: text(256).optional(),
    user: PrincipalIdSchema.optional(),
    agent: PrincipalIdSchema.optional(),
    chain: ChainSchema.optional(),
    action: text(256).optional(),
    tool: text(256).optional(),
    adapter: text(64).optional(),
    decision: z.enum(EFFECTS).optional(),
    reason: text(128).optional(),
    outcome: z.enum(["ok", "error"]).optional(),
    error: text(2048).optional(),
    durationMs: z.number().nonnegative().optional(),
    inputHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    outputHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    detail: DetailSchema.optional(),
  })
  .openapi("LedgerEntry");

export const LedgerAppendSchema = z
  .object({
    appends: z
      .array(
        z.object({
          entry: LedgerEntrySchema,
          payloads: z
            .array(z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/), body: z.unknown() }))
            .max(4)
            .optional(),
        }),
      )
      .min(1)
      .max(1000),
    retried: z.number().int().min(1).max(1000).optional().openapi({
      description:
        "How many of the first appends an earlier request may have recorded (it failed without an answer): the server records each of those only when it does not hold the same row for the same call, so a retry never appends twice. Each of them needs a callId.",
    }),
  })
  .openapi("LedgerAppend");

export const LedgerRecordSchema = z
  .object({
    chainId: z.string(),
    seq: z.number().int(),
    id: z.string(),
    time: EpochMsSchema,
    tenant: z.string().nullable(),
    kind: z.enum(EVENT_KINDS),
    callId: z.string().nullable(),
    user: z.string().nullable(),
    agent: z.string().nullable(),
    chain: z
      .object({ agents: z.array(z.string()).readonly(), hops: z.array(z.string()).readonly() })
      .nullable(),
    action: z.string().nullable(),
    tool: z.string().nullable(),
    adapter: z.string().nullable(),
    decision: z.enum(EFFECTS).nullable(),
    reason: z.string().nullable(),
    outcome: z.enum(["ok", "error"]).nullable(),
    error: z.string().nullable(),
    durationMs: z.number().nullable(),
    inputHash: z.string().nullable(),
    outputHash: z.string().nullable(),
    detail: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .nullable(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .openapi("LedgerRecord");

export const LedgerRecordsSchema = z
  .object({ records: z.array(LedgerRecordSchema).readonly() })
  .openapi("LedgerRecords");

const LedgerFilterShape = {
  user: PrincipalIdSchema.optional(),
  agent: PrincipalIdSchema.optional(),
  action: text(256).optional(),
  tool: text(256).optional(),
  decision: z.enum(EFFECTS).optional(),
  kind: z.enum(EVENT_KINDS).optional(),
  callId: text(256).optional(),
  tenant: PrincipalIdSchema.optional(),
  chainId: text(64).optional(),
  withoutOutcome: z
    .enum(["true", "false"])
    .transform((value) => value === "true")
    .optional()
    .openapi({
      description:
        "`true`: only allowed decisions whose call has no outcome row (running, paused, or lost in a crash)",
    }),
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  order: z.enum(["asc", "desc"]).optional(),
};

export const LedgerQuerySchema = z.object({
  ...LedgerFilterShape,
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: text(512).optional(),
  include: z.literal("inputs").optional().openapi({
    description: "`inputs`: also the stored (redacted) input of each row, by hash, unless erased",
  }),
});

export const LedgerExportQuerySchema = z.object({
  ...LedgerFilterShape,
  format: z.enum(EXPORT_FORMATS as readonly ["ocsf", "ecs", "jsonl"]),
});

export const LedgerPageSchema = z
  .object({
    records: z.array(LedgerRecordSchema).readonly(),
    nextCursor: z.string().optional(),
    inputs: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("LedgerPage");

export const VerifyQuerySchema = z.object({
  progress: z.enum(["true", "false"]).optional().openapi({
    description: "`true`: stream NDJSON lines `{ progress: { rows, total } }`, then `{ result }`",
  }),
});

export const LedgerChainsSchema = z
  .object({
    chains: z
      .array(
        z.object({
          chainId: z.string(),
          startedAt: EpochMsSchema,
          keyThumbprint: z.string(),
          rows: z.number().int(),
          lastCheckpoint: z
            .object({ seq: z.number().int(), time: EpochMsSchema, hash: z.string() })
            .optional(),
        }),
      )
      .readonly(),
  })
  .openapi("LedgerChains");

const HashSchema = z.string().regex(/^[0-9a-f]{64}$/);

export const SignedTreeHeadSchema = z
  .object({
    typ: z.literal("writ-tree-head"),
    treeSize: z.number().int().nonnegative(),
    rootHash: HashSchema,
    time: EpochMsSchema,
    signer: text(64),
    publicJwk: z.object({ kty: z.literal("OKP"), crv: z.literal("Ed25519"), x: text(64) }),
    signature: text(128),
  })
  .openapi("SignedTreeHead");

export const TreeHeadResponseSchema = z
  .object({ treeHead: SignedTreeHeadSchema.nullable() })
  .openapi("TreeHeadResponse");

export const VerifyLedgerBodySchema = z
  .object({ against: z.array(SignedTreeHeadSchema).max(100).optional() })
  .openapi("VerifyLedgerRequest");

const VerifiedTreeHeadSchema = z.object({
  treeSize: z.number().int(),
  rootHash: z.string(),
  time: EpochMsSchema,
  signer: z.string(),
});

export const LedgerVerificationSchema = z
  .object({
    ok: z.boolean(),
    rows: z.number().int(),
    chains: z.number().int(),
    checkpoints: z.number().int(),
    tree: z.object({
      size: z.number().int(),
      treeHeads: z.number().int(),
      newest: VerifiedTreeHeadSchema.extend({ ageMs: z.number() }).optional(),
      uncovered: z.number().int(),
      against: z.array(VerifiedTreeHeadSchema).readonly(),
    }),
    unverified: z.array(z.string()).readonly(),
    problem: z
      .object({
        chainId: z.string().optional(),
        seq: z.number().int().optional(),
        id: z.string().optional(),
        treeSize: z.number().int().optional(),
        problem: z.string(),
        message: z.string(),
      })
      .optional(),
  })
  .openapi("LedgerVerification");

export const EvidenceParamsSchema = z.object({ id: text(64) });

export const LedgerEvidenceSchema = z
  .object({
    record: LedgerRecordSchema,
    leafIndex: z.number().int(),
    treeHead: SignedTreeHeadSchema,
    proof: z.array(HashSchema).readonly(),
  })
  .openapi("LedgerEvidence");

export const ConsistencyQuerySchema = z.object({
  size1: z.coerce.number().int().nonnegative(),
  size2: z.coerce.number().int().nonnegative().optional(),
});

export const ConsistencyProofSchema = z
  .object({
    size1: z.number().int(),
    size2: z.number().int(),
    proof: z.array(HashSchema).readonly(),
  })
  .openapi("ConsistencyProof");

export const PayloadSchema = z
  .object({
    hash: z.string(),
    body: z.unknown().optional(),
    erased: z.boolean(),
    storedAt: EpochMsSchema,
    erasedAt: EpochMsSchema.optional(),
  })
  .openapi("Payload");

export const PayloadParamsSchema = z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/) });
