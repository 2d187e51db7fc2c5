import { z } from "@hono/zod-openapi";
import { errorSpec, type HttpStatus, WRIT_ERROR_CODES } from "@writ/core";
import { isPrincipalId } from "@writ/core/backend";

/** Ids of users, agents, roles and tenants, as core defines them. */
export const PrincipalIdSchema = z
  .string()
  .refine(isPrincipalId, {
    message:
      "Use 1–128 characters from letters, digits and . _ : @ / -, starting with a letter or digit.",
  })
  .openapi({ example: "support-planner" });

/** Epoch milliseconds. */
export const EpochMsSchema = z.number().int().nonnegative().openapi({ example: 1767268800000 });

/** A page of a list: `limit` (1–1000, default 100) and the previous page's `nextCursor`. */
export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().min(1).max(512).optional(),
});

/** A list answer: the items under `key`, and `nextCursor` when more follow. */
export function listSchema<K extends string, T extends z.ZodType>(key: K, item: T, name: string) {
  return z
    .object({ [key]: z.array(item).readonly(), nextCursor: z.string().optional() } as {
      [P in K]: z.ZodReadonly<z.ZodArray<T>>;
    } & { nextCursor: z.ZodOptional<z.ZodString> })
    .openapi(name);
}

/** A store's page as the list answer `{ [key]: items, nextCursor? }`. */
export function listBody<K extends string, T>(
  key: K,
  page: { readonly items: readonly T[]; readonly nextCursor?: string },
): { [P in K]: readonly T[] } & { nextCursor?: string } {
  return {
    [key]: page.items,
    ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
  } as { [P in K]: readonly T[] } & { nextCursor?: string };
}

/** Whether a delete removed something. */
export const RemovedSchema = z.object({ removed: z.boolean() }).openapi("Removed");

/** RFC 9457 problem details, carrying Writ's stable error code. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "https://writ.dev/problems/store.not_found" }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(WRIT_ERROR_CODES).openapi({ example: "store.not_found" }),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("Problem");

/** Every status the error registry answers with. */
const PROBLEM_STATUSES = [
  ...new Set(WRIT_ERROR_CODES.map((code) => errorSpec(code).status)),
].sort();

/** The problem responses every route may answer with, for the OpenAPI document. */
export const problemResponses = Object.fromEntries(
  PROBLEM_STATUSES.map((status) => [
    status,
    {
      description: "An RFC 9457 problem with Writ's error code",
      content: { "application/problem+json": { schema: ProblemSchema } },
    },
  ]),
) as Record<
  HttpStatus,
  {
    description: string;
    content: { "application/problem+json": { schema: typeof ProblemSchema } };
  }
>;

/** A JSON response body for the OpenAPI document. */
export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { "application/json": { schema } } };
}
