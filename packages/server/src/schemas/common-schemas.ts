import { z } from "@hono/zod-openapi";
import { isPrincipalId } from "@writ/core";

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

/** Whether a delete removed something. */
export const RemovedSchema = z.object({ removed: z.boolean() }).openapi("Removed");

/** RFC 9457 problem details, carrying Writ's stable error code. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "https://writ.dev/problems/store.not_found" }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ example: "store.not_found" }),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("Problem");

const PROBLEM_STATUSES = [400, 401, 403, 404, 409, 413, 429, 500, 503] as const;

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
  (typeof PROBLEM_STATUSES)[number],
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
