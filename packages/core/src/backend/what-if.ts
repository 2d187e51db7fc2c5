import type { Grant } from "../grants/grant.js";
import type { ReplayedDecision } from "../guard/replay-authority.js";
import type { DecisionEffect } from "../ledger/ledger-record.js";
import type { GrantsInput } from "./store-admin.js";

/** A proposed change of one principal's grants. */
export interface WhatIfInput {
  /** Whose grants change: a user's direct permissions, a role's, or an agent's policy. */
  readonly subject: { readonly kind: "user" | "role" | "agent"; readonly id: string };
  /** The grants proposed in place of the current ones. */
  readonly grants: GrantsInput;
  /** How many of the affected principals' latest recorded decisions to replay. Default 50, at most 500. */
  readonly limit?: number;
  /** Only this tenant's decisions (a tenant's key sees no other). */
  readonly tenant?: string;
}

/** One recorded decision, replayed under the current grants and under the proposed ones. */
export interface ReplayedCall {
  /** The decision's ledger row. */
  readonly eventId: string;
  readonly callId: string | null;
  readonly time: number;
  readonly user: string | null;
  /** Agent ids root→leaf. */
  readonly chain: readonly string[];
  readonly action: string | null;
  readonly tool: string | null;
  readonly recorded: { readonly effect: DecisionEffect | null; readonly code: string | null };
  /** Under the grants in force now. */
  readonly before?: ReplayedDecision;
  /** Under the proposed grants. */
  readonly after?: ReplayedDecision;
  readonly changed: boolean;
  /**
   * Why it was not replayed: its input was not stored (or was erased), a hop
   * of its writ is not in the delegation graph, or it was decided before
   * grants mattered (a bad signature, an expired or revoked writ…).
   */
  readonly skipped?: "input_not_stored" | "hop_not_recorded" | "decided_before_grants";
}

export interface WhatIfReport {
  readonly subject: WhatIfInput["subject"];
  readonly grants: readonly Grant[];
  readonly examined: number;
  readonly changed: number;
  readonly skipped: number;
  /** Newest first. */
  readonly calls: readonly ReplayedCall[];
}
