import { type Clock, systemClock } from "../clock.js";
import type { Grant } from "../grants/grant.js";
import { formatGrant } from "../grants/grant-text.js";
import { Writ } from "./writ.js";

/** One hop as a person reads it. Nothing here is verified: inspect is for reading, guards are for trusting. */
export interface InspectedHop {
  readonly index: number;
  /** Issuer id for the root, the delegating agent otherwise. */
  readonly from: string;
  readonly to: string;
  readonly jti: string;
  readonly keyThumbprint: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  readonly expired: boolean;
  readonly depthLeft: number;
  readonly grants: readonly Grant[];
}

export interface InspectedWrit {
  readonly user: string;
  readonly tenant?: string;
  readonly hops: readonly InspectedHop[];
  readonly expiresAt: Date;
}

export function inspectWrit(
  writ: Writ | string,
  options: { readonly clock?: Clock } = {},
): InspectedWrit {
  const parsed = typeof writ === "string" ? Writ.parse(writ) : writ;
  const now = (options.clock ?? systemClock)();
  return {
    user: parsed.user,
    ...(parsed.tenant === undefined ? {} : { tenant: parsed.tenant }),
    expiresAt: parsed.expiresAt,
    hops: parsed.hops.map(({ index, claims }) => ({
      index,
      from: claims.iss,
      to: claims.aud,
      jti: claims.jti,
      keyThumbprint: claims.cnf.jkt,
      issuedAt: new Date(claims.iat * 1000),
      expiresAt: new Date(claims.exp * 1000),
      expired: claims.exp * 1000 <= now,
      depthLeft: claims.dmax,
      grants: claims.grants,
    })),
  };
}

/** Renders an inspected writ as a tree: who delegated what to whom, and until when. */
export function formatWritTree(
  inspected: InspectedWrit,
  options: { readonly clock?: Clock } = {},
): string {
  const now = (options.clock ?? systemClock)();
  const tenant = inspected.tenant ? ` (tenant ${inspected.tenant})` : "";
  const lines = [
    `writ for user ${inspected.user}${tenant}: ${inspected.hops.length} hop${inspected.hops.length === 1 ? "" : "s"}, expires ${describeExpiry(inspected.expiresAt, now)}`,
  ];
  for (const hop of inspected.hops) {
    const indent = "   ".repeat(hop.index);
    const role = hop.index === 0 ? `issuer ${hop.from}` : hop.from;
    lines.push(
      `${indent}└─ ${role} → ${hop.to}   expires ${describeExpiry(hop.expiresAt, now)}, may delegate ${hop.depthLeft} more, jti ${hop.jti}`,
    );
    const grants = hop.grants.length === 0 ? ["(none)"] : hop.grants.map(formatGrant);
    for (const grant of grants) lines.push(`${indent}      ${grant}`);
  }
  return lines.join("\n");
}

function describeExpiry(at: Date, now: number): string {
  const seconds = Math.round((at.getTime() - now) / 1000);
  const span = formatSpan(Math.abs(seconds));
  return `${at.toISOString()} (${seconds > 0 ? `in ${span}` : `expired ${span} ago`})`;
}

function formatSpan(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
}
