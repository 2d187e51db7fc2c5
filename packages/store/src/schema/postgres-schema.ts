import {
  bigint,
  doublePrecision,
  index,
  type PgColumnBuilderBase,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { type ColumnSpec, TABLE_SPECS, type TableSpec } from "./table-specs.js";

function column(name: string, spec: ColumnSpec): PgColumnBuilderBase {
  switch (spec.type) {
    case "text": {
      const builder = text(name);
      return spec.primaryKey ? builder.primaryKey() : spec.notNull ? builder.notNull() : builder;
    }
    case "integer": {
      // 64-bit: epoch ms and sequence numbers outgrow int4.
      const builder = bigint(name, { mode: "number" });
      return spec.primaryKey ? builder.primaryKey() : spec.notNull ? builder.notNull() : builder;
    }
    case "real": {
      const builder = doublePrecision(name);
      return spec.primaryKey ? builder.primaryKey() : spec.notNull ? builder.notNull() : builder;
    }
  }
}

/** A drizzle Postgres table built from its dialect-neutral spec. */
function table(spec: TableSpec) {
  const columns = Object.fromEntries(
    Object.entries(spec.columns).map(([name, col]) => [name, column(name, col)]),
  );
  return pgTable(spec.name, columns, (t) => {
    const pick = (names: readonly string[]) =>
      names.map((name) => t[name]).filter((col) => col !== undefined);
    const [first, ...rest] = pick(spec.primaryKey ?? []);
    return [
      ...(first ? [primaryKey({ columns: [first, ...rest] })] : []),
      ...Object.entries(spec.unique ?? {}).map(([name, cols]) => {
        const [head, ...tail] = pick(cols);
        if (!head) throw new TypeError(`Unique index ${name} names no column.`);
        return uniqueIndex(name).on(head, ...tail);
      }),
      ...Object.entries(spec.indexes ?? {}).map(([name, cols]) => {
        const [head, ...tail] = pick(cols);
        if (!head) throw new TypeError(`Index ${name} names no column.`);
        return index(name).on(head, ...tail);
      }),
    ];
  });
}

// drizzle-kit finds tables by their named exports, so each is exported by name.
export const tenants = table(TABLE_SPECS.tenants);
export const users = table(TABLE_SPECS.users);
export const userIdentities = table(TABLE_SPECS.userIdentities);
export const roles = table(TABLE_SPECS.roles);
export const roleMembers = table(TABLE_SPECS.roleMembers);
export const permissions = table(TABLE_SPECS.permissions);
export const agents = table(TABLE_SPECS.agents);
export const agentPolicies = table(TABLE_SPECS.agentPolicies);
export const agentKeys = table(TABLE_SPECS.agentKeys);
export const issuerKeys = table(TABLE_SPECS.issuerKeys);
export const hops = table(TABLE_SPECS.hops);
export const revocations = table(TABLE_SPECS.revocations);
export const liveChanges = table(TABLE_SPECS.liveChanges);
export const liveCounter = table(TABLE_SPECS.liveCounter);
export const approvals = table(TABLE_SPECS.approvals);
export const ledgerChains = table(TABLE_SPECS.ledgerChains);
export const ledger = table(TABLE_SPECS.ledger);
export const ledgerPayloads = table(TABLE_SPECS.ledgerPayloads);
export const ledgerCheckpoints = table(TABLE_SPECS.ledgerCheckpoints);
export const ledgerTreeSegments = table(TABLE_SPECS.ledgerTreeSegments);
export const ledgerTreeNodes = table(TABLE_SPECS.ledgerTreeNodes);
export const ledgerTreeHeads = table(TABLE_SPECS.ledgerTreeHeads);
export const ledgerTreeState = table(TABLE_SPECS.ledgerTreeState);
export const ledgerTreeChains = table(TABLE_SPECS.ledgerTreeChains);
export const credentialConnections = table(TABLE_SPECS.credentialConnections);
export const credentialTokens = table(TABLE_SPECS.credentialTokens);
export const credentialPending = table(TABLE_SPECS.credentialPending);
export const apiKeys = table(TABLE_SPECS.apiKeys);
export const consoleSessions = table(TABLE_SPECS.consoleSessions);
export const budgetCounters = table(TABLE_SPECS.budgetCounters);
export const budgetReservations = table(TABLE_SPECS.budgetReservations);
export const budgetReleases = table(TABLE_SPECS.budgetReleases);
export const oauthClients = table(TABLE_SPECS.oauthClients);
export const oauthRequests = table(TABLE_SPECS.oauthRequests);
export const oauthCodes = table(TABLE_SPECS.oauthCodes);
export const oauthFamilies = table(TABLE_SPECS.oauthFamilies);
export const oauthRefreshTokens = table(TABLE_SPECS.oauthRefreshTokens);
export const oauthFamilyWrits = table(TABLE_SPECS.oauthFamilyWrits);
