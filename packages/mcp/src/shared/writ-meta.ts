/**
 * Writ's keys in MCP `params._meta` (DESIGN §2). The `dev.writ/` prefix is a
 * reverse-DNS name as the MCP spec asks for `_meta` keys.
 */
export const WRIT_META = {
  /** The serialized writ (request `_meta`). */
  writ: "dev.writ/writ",
  /** The invocation proof for this call (request `_meta`). */
  proof: "dev.writ/proof",
  /** An approval id, when retrying a call a human approved (request `_meta`). */
  approval: "dev.writ/approval",
  /** The action a listed tool performs, so clients can sign proofs for it (tool `_meta`). */
  action: "dev.writ/action",
  /** The decision behind a refusal: effect, code, approval id (result `_meta`). */
  decision: "dev.writ/decision",
} as const;

const PREFIX = "dev.writ/";

/** Credentials a request carries in `_meta`. Values are untrusted until the guard verifies them. */
export interface MetaCredentials {
  readonly writ?: string;
  readonly proof?: string;
  readonly approvalId?: string;
}

export function readMetaCredentials(meta: unknown): MetaCredentials {
  if (meta === null || typeof meta !== "object") return {};
  const record = meta as Record<string, unknown>;
  const text = (key: string) => (typeof record[key] === "string" ? record[key] : undefined);
  const writ = text(WRIT_META.writ);
  const proof = text(WRIT_META.proof);
  const approvalId = text(WRIT_META.approval);
  return {
    ...(writ === undefined ? {} : { writ }),
    ...(proof === undefined ? {} : { proof }),
    ...(approvalId === undefined ? {} : { approvalId }),
  };
}

/** `_meta` without any `dev.writ/` key: what may travel on to an upstream server. */
export function withoutWritMeta(
  meta: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> | undefined {
  if (meta === undefined) return undefined;
  const kept = Object.entries(meta).filter(([key]) => !key.startsWith(PREFIX));
  return kept.length === 0 ? undefined : Object.fromEntries(kept);
}
