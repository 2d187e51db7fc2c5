import type { LedgerRecord } from "@writ/core";

/** The OCSF version these events follow. */
export const OCSF_VERSION = "1.8.0";

const ACTIVITY_NAMES: Readonly<Record<LedgerRecord["kind"], string>> = {
  decision: "Authorize",
  outcome: "Invoke",
  delegation: "Delegate",
  issue: "Issue",
  revocation: "Revoke",
  approval: "Approve",
  admin: "Administer",
};

type Status = { readonly id: 0 | 1 | 2 | 99; readonly name: string };

function statusOf(record: LedgerRecord): Status {
  if (record.decision === "deny" || record.outcome === "error") return { id: 2, name: "Failure" };
  if (record.decision === "approval_required") return { id: 99, name: "Pending Approval" };
  return { id: 1, name: "Success" };
}

function severityOf(record: LedgerRecord): { readonly id: 1 | 2 | 3; readonly name: string } {
  if (record.kind === "revocation" || record.outcome === "error") return { id: 2, name: "Low" };
  if (record.decision === "deny") return { id: 3, name: "Medium" };
  return { id: 1, name: "Informational" };
}

/**
 * A ledger row as an OCSF 1.8 API Activity event (class 6003). Writ's own
 * facts without an OCSF attribute (chain position and hashes, the delegation
 * chain, details) go under `unmapped.writ`, as OCSF asks of extensions.
 */
export function toOcsfApiActivity(
  record: LedgerRecord,
  product: { readonly version?: string } = {},
): Record<string, unknown> {
  const status = statusOf(record);
  const severity = severityOf(record);
  const activity = ACTIVITY_NAMES[record.kind];
  const operation = record.action ?? record.kind;
  return {
    class_uid: 6003,
    class_name: "API Activity",
    category_uid: 6,
    category_name: "Application Activity",
    activity_id: 99,
    activity_name: activity,
    type_uid: 600399,
    type_name: "API Activity: Other",
    time: record.time,
    severity_id: severity.id,
    severity: severity.name,
    status_id: status.id,
    status: status.name,
    ...(record.reason === null ? {} : { status_code: record.reason }),
    ...(record.error === null ? {} : { status_detail: record.error }),
    message: describe(record),
    ...(record.durationMs === null ? {} : { duration: Math.round(record.durationMs) }),
    metadata: {
      version: OCSF_VERSION,
      product: {
        name: "Writ",
        vendor_name: "Writ",
        ...(product.version ? { version: product.version } : {}),
      },
      uid: record.id,
      log_name: "writ.ledger",
      event_code: record.kind,
      sequence: record.seq,
      ...(record.callId === null ? {} : { correlation_uid: record.callId }),
      ...(record.tenant === null ? {} : { tenant_uid: record.tenant }),
    },
    actor: {
      app_name: record.agent ?? "writ",
      ...(record.agent === null ? {} : { app_uid: record.agent }),
      ...(record.user === null ? {} : { user: { uid: record.user, type_id: 1, type: "User" } }),
      ...(record.decision === null
        ? {}
        : {
            authorizations: [
              {
                decision: record.decision,
                ...(record.reason ? { policy: { name: record.reason } } : {}),
              },
            ],
          }),
    },
    api: {
      operation,
      ...(record.tool === null ? {} : { service: { name: record.tool } }),
      request: { uid: record.callId ?? record.id },
      ...(record.reason !== null || record.error !== null
        ? {
            // Only a failure carries an error: SIEM rules key on response.error.
            response:
              statusOf(record).id === 2
                ? {
                    ...(record.reason === null ? {} : { error: record.reason }),
                    ...(record.error === null ? {} : { error_message: record.error }),
                  }
                : { ...(record.reason === null ? {} : { message: record.reason }) },
          }
        : {}),
    },
    src_endpoint:
      record.adapter === null
        ? { name: record.agent ?? "writ" }
        : { svc_name: record.adapter, name: record.agent ?? "writ" },
    ...(record.tool === null ? {} : { resources: [{ name: record.tool, type: "tool" }] }),
    unmapped: {
      writ: {
        kind: record.kind,
        chain_id: record.chainId,
        seq: record.seq,
        hash: record.hash,
        prev_hash: record.prevHash,
        ...(record.chain === null ? {} : { agents: record.chain.agents, hops: record.chain.hops }),
        ...(record.outcome === null ? {} : { outcome: record.outcome }),
        ...(record.inputHash === null ? {} : { input_hash: record.inputHash }),
        ...(record.outputHash === null ? {} : { output_hash: record.outputHash }),
        ...(record.detail === null ? {} : { detail: record.detail }),
      },
    },
  };
}

function describe(record: LedgerRecord): string {
  const subject = record.action ?? record.kind;
  switch (record.kind) {
    case "decision":
      return `${record.decision ?? "decision"} ${subject}${record.reason ? ` (${record.reason})` : ""}`;
    case "outcome":
      return `${subject} ran: ${record.outcome ?? "unknown"}`;
    case "revocation":
      return `revoked ${String(record.detail?.target ?? "")} ${String(record.detail?.id ?? "")}`.trim();
    case "approval":
      return `approval for ${subject}: ${record.decision === "allow" ? "granted" : "rejected"}`;
    default:
      return `${record.kind} ${subject === record.kind ? "" : subject}`.trim();
  }
}
