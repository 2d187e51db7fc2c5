/** Decision codes in plain words, for people (the ledger keeps the codes). */
const WORDS: Readonly<Record<string, string>> = {
  granted: "allowed",
  "approval.granted": "allowed with a human approval",
  "approval.required": "waiting for a human approval",
  "approval.rejected": "rejected by a human",
  "grant.action_not_granted": "not an action its grants allow",
  "grant.condition_failed": "an argument outside what its grants allow",
  "grant.set_unavailable": "a named set could not be checked",
  "live.permission_denied": "the user no longer has this permission",
  "live.policy_denied": "an agent's policy no longer allows it",
  "live.stale": "live state too old: refused to be safe",
  "live.unavailable": "live state unavailable: refused to be safe",
  "revoked.hop": "its writ was revoked",
  "revoked.agent": "an agent of the chain was revoked",
  "revoked.user": "the user was revoked",
  "revoked.key": "an agent key was revoked",
  "revoked.issuer_key": "the issuer key was revoked",
  "writ.expired": "its writ had expired",
  "proof.replayed": "a replayed request",
  "ledger.unavailable": "the ledger could not record it",
};

export function inWords(code: string | null | undefined): string {
  if (!code) return "";
  return WORDS[code] ?? code.replace(/[._]/g, " ");
}

/** The CSS class of an effect's badge. */
export function effectClass(effect: string | null | undefined): string {
  return effect === "allow" ||
    effect === "deny" ||
    effect === "approval_required" ||
    effect === "unknown"
    ? effect
    : "other";
}

export function effectLabel(effect: string | null | undefined): string {
  switch (effect) {
    case "allow":
      return "allowed";
    case "deny":
      return "denied";
    case "approval_required":
      return "needs approval";
    case "unknown":
      return "cannot tell";
    default:
      return effect ?? "—";
  }
}

/** An ISO time without milliseconds, in UTC (pages read the same on every instance). */
export function timeOf(epochMs: number | null | undefined): string {
  return epochMs === null || epochMs === undefined
    ? ""
    : new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A short, single-line summary of stored arguments. */
export function summary(body: unknown, max = 90): string {
  if (body === undefined) return "";
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
