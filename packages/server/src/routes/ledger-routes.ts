import { createRoute, z } from "@hono/zod-openapi";
import { WritError } from "@writ/core";
import type { LedgerQuery } from "@writ/store";
import { stream } from "hono/streaming";
import { validator } from "hono/validator";
import type { Caller } from "../auth/caller.js";
import { jsonMediaType } from "../http/json-media-type.js";
import { type Defined, withoutUndefined } from "../http/without-undefined.js";
import { jsonBody, jsonContent, problemResponses } from "../schemas/common-schemas.js";
import { ledgerAppendBody } from "../schemas/ledger-append-body.js";
import {
  ConsistencyProofSchema,
  ConsistencyQuerySchema,
  EvidenceParamsSchema,
  LedgerAppendSchema,
  LedgerChainsSchema,
  LedgerEvidenceSchema,
  LedgerExportQuerySchema,
  LedgerPageSchema,
  LedgerQuerySchema,
  LedgerRecordsSchema,
  LedgerVerificationSchema,
  PayloadParamsSchema,
  PayloadSchema,
  TreeHeadResponseSchema,
  VerifyLedgerBodySchema,
  VerifyQuerySchema,
} from "../schemas/ledger-schemas.js";
import { notFound, requireOperator, requireScope } from "../tenancy/tenant-access.js";
import { appendRetried } from "./append-retried.js";
import { API_KEY_SECURITY, type RouteContext, type WritApp } from "./route-context.js";

const tags = ["Ledger"];
const security = API_KEY_SECURITY;

/**
 * The audit ledger: appends from remote guards (sealed into this server's
 * writer chain), queries and streaming exports (a tenant's key reads its own
 * tenant's rows only), and verification and payloads (operators: they span
 * every tenant's rows).
 */
export function registerLedgerRoutes(app: WritApp, { store }: RouteContext): void {
  // Every remote decision is one of these: its body is parsed by ledgerAppendBody (the
  // documented schema, without the OpenAPI validator's asynchronous Zod parse).
  app.openAPIRegistry.registerPath(
    createRoute({
      method: "post",
      path: "/v1/ledger/append",
      tags,
      security,
      summary: "Append a remote guard's events; resolves once they are durable",
      request: { body: jsonBody(LedgerAppendSchema) },
      responses: { 200: jsonContent(LedgerRecordsSchema, "The sealed rows"), ...problemResponses },
    }),
  );
  app.post(
    "/v1/ledger/append",
    jsonMediaType,
    validator("json", (body) => ledgerAppendBody(body)),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "guard");
      const { appends, retried = 0 } = c.req.valid("json");
      if (retried > appends.length) {
        throw new TypeError("retried counts the first appends: it cannot exceed their number.");
      }
      // A tenant's guard records even calls it could not attribute (a malformed writ
      // names no tenant): those rows are its tenant's. Another tenant's rows are refused.
      const scoped = appends.map(({ entry, payloads }) => {
        if (
          caller.tenant !== undefined &&
          entry.tenant !== undefined &&
          entry.tenant !== caller.tenant
        ) {
          throw new WritError(
            "auth.forbidden",
            "A tenant's key may append only events of its own tenant.",
          );
        }
        const owned = caller.tenant === undefined ? entry : { ...entry, tenant: caller.tenant };
        return payloads ? { entry: owned, payloads } : { entry: owned };
      });
      const records =
        retried === 0 ? await store.append(scoped) : await appendRetried(store, scoped, retried);
      return c.json({ records }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/ledger",
      tags,
      security,
      summary: "One page of ledger rows, filtered; pass nextCursor for the next",
      request: { query: LedgerQuerySchema },
      responses: { 200: jsonContent(LedgerPageSchema, "A page of rows"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "read");
      const { include, ...query } = c.req.valid("query");
      const page = await store.queryLedger(scoped(caller, query));
      if (include !== "inputs") return c.json(page, 200);
      // The caller may read these rows, so it may read what they were called with (as stored).
      const inputs: Record<string, unknown> = {};
      for (const hash of new Set(page.records.map((row) => row.inputHash))) {
        if (hash === null) continue;
        const payload = await store.getPayload(hash);
        if (payload?.body !== undefined) inputs[hash] = payload.body;
      }
      return c.json({ ...page, inputs }, 200);
    },
  );

  // The export streams NDJSON, which the typed route handlers cannot express:
  // the route is documented from the same schema that validates it below.
  const exportRoute = createRoute({
    method: "get",
    path: "/v1/ledger/export",
    tags,
    security,
    summary: "Stream the ledger as NDJSON: OCSF 1.8 API Activity, ECS, or the sealed rows",
    request: { query: LedgerExportQuerySchema },
    responses: {
      200: {
        description: "One JSON document per line, streamed page by page",
        content: { "application/x-ndjson": { schema: z.string() } },
      },
      ...problemResponses,
    },
  });
  app.openAPIRegistry.registerPath(exportRoute);
  app.get("/v1/ledger/export", async (c) => {
    const caller = c.get("caller");
    requireScope(caller, "read");
    const { format, ...query } = validated(LedgerExportQuerySchema, c.req.query());
    // The closing tree head covers every tenant's rows: only an operator's export carries it.
    const lines = store
      .exportLedger(format, scoped(caller, query), { treeHead: caller.tenant === undefined })
      [Symbol.asyncIterator]();
    // The first page is read before the status is sent, so a failure there is a real problem response.
    let next = await lines.next();
    c.header("content-type", "application/x-ndjson; charset=utf-8");
    c.header("cache-control", "no-store");
    return stream(
      c,
      async (out) => {
        while (!next.done) {
          if (out.aborted) return;
          await out.write(next.value);
          next = await lines.next();
        }
      },
      async (_error, out) => {
        // The status is already sent: cut the stream so the client sees it incomplete.
        out.abort();
      },
    );
  });

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/ledger/verify",
      tags,
      security,
      summary:
        "Recompute every chain, checkpoint and the tree (operator keys only); ?progress=true streams it",
      request: { query: VerifyQuerySchema },
      responses: {
        200: jsonContent(LedgerVerificationSchema, "The verification"),
        ...problemResponses,
      },
    }),
    async (c) => {
      requireOperator(c.get("caller"));
      if (c.req.valid("query").progress !== "true") return c.json(await store.verifyLedger(), 200);
      c.header("content-type", "application/x-ndjson; charset=utf-8");
      c.header("cache-control", "no-store");
      return stream(c, async (out) => {
        let writing: Promise<unknown> = Promise.resolve();
        const result = await store.verifyLedger({
          onProgress: (progress) => {
            writing = writing.then(() => out.write(`${JSON.stringify({ progress })}\n`));
          },
        });
        await writing;
        await out.write(`${JSON.stringify({ result })}\n`);
      }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/ledger/chains",
      tags,
      security,
      summary:
        "Every writer chain with its length and latest signed checkpoint (operator keys only)",
      responses: { 200: jsonContent(LedgerChainsSchema, "The chains"), ...problemResponses },
    }),
    async (c) => {
      requireOperator(c.get("caller"));
      return c.json({ chains: await store.ledgerChains() }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/ledger/verify",
      tags,
      security,
      summary:
        "Verify the ledger against tree heads kept outside the store: no row they cover was removed (operator keys only)",
      request: { body: jsonBody(VerifyLedgerBodySchema) },
      responses: {
        200: jsonContent(LedgerVerificationSchema, "The verification"),
        ...problemResponses,
      },
    }),
    async (c) => {
      requireOperator(c.get("caller"));
      const { against } = c.req.valid("json");
      return c.json(await store.verifyLedger(against ? { against } : {}), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/ledger/tree-head",
      tags,
      security,
      summary: "The newest signed tree head of the ledger's Merkle tree (operator keys only)",
      responses: {
        200: jsonContent(TreeHeadResponseSchema, "The newest tree head, or null"),
        ...problemResponses,
      },
    }),
    async (c) => {
      // A tree head covers every tenant's rows: operators only.
      requireOperator(c.get("caller"));
      return c.json({ treeHead: (await store.treeHead()) ?? null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/ledger/tree-head",
      tags,
      security,
      summary:
        "Place every committed row in the tree and sign a tree head now (operator keys only)",
      responses: {
        200: jsonContent(TreeHeadResponseSchema, "The newest tree head, or null"),
        ...problemResponses,
      },
    }),
    async (c) => {
      requireOperator(c.get("caller"));
      return c.json({ treeHead: (await store.signTreeHead()) ?? null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/ledger/evidence/{id}",
      tags,
      security,
      summary:
        "Evidence of one row: the row, a signed tree head and the inclusion proof (operator keys only)",
      request: { params: EvidenceParamsSchema },
      responses: {
        200: jsonContent(LedgerEvidenceSchema, "Evidence that verifies without the ledger"),
        ...problemResponses,
      },
    }),
    async (c) => {
      requireOperator(c.get("caller"));
      return c.json(await store.ledgerEvidence(c.req.valid("param").id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/ledger/consistency",
      tags,
      security,
      summary:
        "A consistency proof: the tree of size1 rows is a prefix of the tree of size2 (operator keys only)",
      request: { query: ConsistencyQuerySchema },
      responses: {
        200: jsonContent(ConsistencyProofSchema, "The proof"),
        ...problemResponses,
      },
    }),
    async (c) => {
      requireOperator(c.get("caller"));
      const { size1, size2 } = c.req.valid("query");
      return c.json(await store.consistencyProof(size1, size2), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/ledger/payloads/{hash}",
      tags,
      security,
      summary: "A stored input or output (operator keys only)",
      request: { params: PayloadParamsSchema },
      responses: { 200: jsonContent(PayloadSchema, "The payload"), ...problemResponses },
    }),
    async (c) => {
      requireOperator(c.get("caller"));
      const { hash } = c.req.valid("param");
      const payload = await store.getPayload(hash);
      if (!payload) throw notFound("payload", hash);
      return c.json(payload, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/ledger/payloads/{hash}",
      tags,
      security,
      summary: "Erase a stored input or output; the chain, holding only its hash, still verifies",
      request: { params: PayloadParamsSchema },
      responses: {
        200: jsonContent(z.object({ erased: z.boolean() }), "Whether it was erased now"),
        ...problemResponses,
      },
    }),
    async (c) => {
      requireOperator(c.get("caller"));
      return c.json({ erased: await store.erasePayload(c.req.valid("param").hash) }, 200);
    },
  );
}

function validated<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".")}: ${issue.message.replace(/\.$/, "")}`);
  throw new WritError("request.invalid", `Invalid request query: ${issues.join("; ")}.`);
}

/** A tenant's key reads its own tenant's rows, whatever tenant it asks for. */
function scoped<Q extends object>(caller: Caller, query: Q): Defined<Q> & LedgerQuery {
  const defined = withoutUndefined(query) as Defined<Q> & LedgerQuery;
  return caller.tenant === undefined ? defined : { ...defined, tenant: caller.tenant };
}
