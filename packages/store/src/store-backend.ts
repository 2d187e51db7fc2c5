import {
  type Approval,
  type Backend,
  type IssuerKeySet,
  type JsonWebKeySet,
  KeyPair,
  type LedgerRecord,
  type Revocation,
  type Writ,
} from "@writ/core";
import type {
  AgentKeyRecord,
  AgentRecord,
  ApiKeyInfo,
  ApiKeyQuery,
  ApiKeyRecord,
  ApprovalQuery,
  ApprovalVerdict,
  BudgetReservationRequest,
  BudgetReservationResult,
  BudgetUsage,
  BudgetUsageQuery,
  CreateApiKeyInput,
  DelegationNode,
  DirectoryQuery,
  GrantsInput,
  IdentityInput,
  IssuedApiKey,
  IssueInput,
  LinkedIdentity,
  OAuthStateStore,
  Page,
  PublicKeyInput,
  PutAgentInput,
  PutRoleInput,
  PutUserInput,
  ReservedAppend,
  RevocationQuery,
  RevokeInput,
  RoleRecord,
  StoreAdmin,
  StoredApiKey,
  StoredPayload,
  TenantRecord,
  UserRecord,
  WhatIfInput,
  WhatIfReport,
} from "@writ/core/backend";
import {
  type ApprovalBinding,
  type ApprovalConsumption,
  type ApprovalDecisionInput,
  type ApprovalRequest,
  approvalEntry,
  type ConsistencyProof,
  type CredentialStore,
  type DelegationRecord,
  delegationEntry,
  type ExportFormat,
  type ExportOptions,
  type LedgerAppend,
  type LedgerAppendOptions,
  type LedgerEvidence,
  type LedgerPage,
  type LedgerQuery,
  type LedgerVerification,
  type LiveSink,
  type LiveWatch,
  type SignedTreeHead,
  uuidV7,
  type VerifyLedgerOptions,
} from "@writ/core/backend";
import { adminChanges, type RunAdminChange } from "./admin/admin-change.js";
import { ApiKeyStore, withoutHash } from "./api-keys/api-key-store.js";
import { ApprovalStore } from "./approvals/approval-store.js";
import { BudgetStore, type TakenReservation } from "./budgets/budget-store.js";
import { assertNoHeldCharges, withHeldCharges } from "./budgets/held-charges-detail.js";
import { SqlCredentialStore } from "./credentials/sql-credential-store.js";
import { DelegationGraph } from "./delegations/delegation-graph.js";
import { listRootHops, type RootHopQuery } from "./delegations/root-hops.js";
import { assertId } from "./directory/assert-id.js";
import { Directory } from "./directory/directory.js";
import { IssuerKeyStore } from "./directory/issuer-key-store.js";
import { exportLines } from "./exports/export-ledger.js";
import { issueWritFromStore } from "./issuing/issue-writ-from-store.js";
import { type LedgerChainInfo, ledgerChains } from "./ledger/ledger-chains.js";
import { queryLedger } from "./ledger/ledger-query.js";
import { LedgerWriter } from "./ledger/ledger-writer.js";
import { LedgerTree } from "./ledger/tree/ledger-tree.js";
import { verifyLedger } from "./ledger/verify-ledger.js";
import { LiveChangeLog } from "./live/live-change-log.js";
import type { LiveFeed } from "./live/live-feed.js";
import { OAuthStateSql } from "./oauth/oauth-state-sql.js";
import { PayloadStore } from "./payloads/payload-store.js";
import { whatIf } from "./policy/what-if.js";
import { RevocationStore } from "./revocations/revocation-store.js";
import { type ConsoleSession, ConsoleSessionStore } from "./sessions/console-session-store.js";
import type { StoreContext } from "./store-context.js";
import { positiveInteger, type StoreOptions } from "./store-options.js";

/**
 * A Writ store on SQL: the Backend guards use (live feed, ledger, approvals,
 * delegation graph) and the admin API on top of it. `sqliteBackend()` and
 * `postgresBackend()` open one; the dialects differ only in their driver and
 * live feed. Every administrative change commits with its ledger row.
 */
export class StoreBackend implements Backend, StoreAdmin {
  readonly #ctx: StoreContext;
  readonly #feed: LiveFeed;
  readonly #writer: LedgerWriter;
  readonly #tree: LedgerTree;
  readonly #change: RunAdminChange;
  readonly #directory: Directory;
  readonly #revocations: RevocationStore;
  readonly #payloads: PayloadStore;
  readonly #approvals: ApprovalStore;
  readonly #budgets: BudgetStore;
  readonly #delegations: DelegationGraph;
  readonly #issuerKeys: IssuerKeyStore;
  readonly #apiKeys: ApiKeyStore;
  readonly #sessions: ConsoleSessionStore;
  /** The Writ server's OAuth authorization server state, shared by every instance on this store. */
  readonly oauthState: OAuthStateStore;
  /**
   * Users' OAuth connections for the credential broker (@writ/broker), whose
   * token columns hold only what the broker sealed.
   */
  readonly credentials: CredentialStore;
  #closing: Promise<void> | undefined;

  /** @internal open one with sqliteBackend() or postgresBackend() */
  constructor(
    ctx: StoreContext,
    feed: (log: LiveChangeLog, ctx: StoreContext) => LiveFeed,
    options: StoreOptions,
  ) {
    this.#ctx = ctx;
    let deliver: LiveFeed["deliver"] = () => undefined;
    const log = new LiveChangeLog(ctx, (changes) => deliver(changes));
    this.#feed = feed(log, ctx);
    deliver = (changes) => this.#feed.deliver(changes);
    const checkpointKey = options.checkpointKey ?? KeyPair.generate();
    this.#writer = new LedgerWriter(ctx, {
      chainId: uuidV7(ctx.clock, ctx.random),
      checkpointKey,
      checkpointEvery: positiveInteger(options.checkpointEvery, 1000, "checkpointEvery"),
      checkpointIntervalMs: positiveInteger(
        options.checkpointIntervalMs,
        60_000,
        "checkpointIntervalMs",
      ),
      maxBatchRows: positiveInteger(options.maxBatchRows, 1000, "maxBatchRows"),
      redact: options.redact,
    });
    this.#tree = new LedgerTree(ctx, {
      chainId: this.#writer.chainId,
      key: checkpointKey,
      intervalMs: positiveInteger(options.treeHeadIntervalMs, 10_000, "treeHeadIntervalMs"),
      witnesses: options.treeHeadWitnesses ?? [],
      onWitnessError: options.onWitnessError ?? warnWitnessFailed,
    });
    this.#change = adminChanges(ctx, this.#writer, log);
    this.#directory = new Directory(ctx, this.#change);
    this.#revocations = new RevocationStore(ctx, this.#change, this.#feed);
    this.#payloads = new PayloadStore(ctx, this.#change);
    this.#approvals = new ApprovalStore(ctx);
    this.#budgets = new BudgetStore(ctx);
    this.#delegations = new DelegationGraph(ctx);
    if (options.issuer !== undefined) assertId(options.issuer, "issuer");
    this.#issuerKeys = new IssuerKeyStore(ctx, options.issuer, this.#change);
    this.credentials = new SqlCredentialStore(ctx);
    this.#apiKeys = new ApiKeyStore(ctx, this.#change);
    this.#sessions = new ConsoleSessionStore(ctx);
    this.oauthState = new OAuthStateSql(ctx);
  }

  /** Opened for reading only (a backup, a read-only file system): every change fails with store.read_only. */
  get readOnly(): boolean {
    return this.#ctx.readOnly;
  }

  /** This writer's ledger chain: every row this instance appends is in it. */
  get chainId(): string {
    return this.#writer.chainId;
  }

  // ── Backend ──────────────────────────────────────────────────────────────

  /** Appends queue in the ledger writer, and this store's ledger reads commit the queue first. */
  readonly queuesAppends = true;

  watch(sink: LiveSink): Promise<LiveWatch> {
    return this.#feed.watch(sink);
  }

  append(
    appends: readonly LedgerAppend[],
    options: LedgerAppendOptions = {},
  ): Promise<readonly LedgerRecord[]> {
    try {
      assertNoHeldCharges(appends);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#writer.append(appends, options.durable !== false);
  }

  /** Records the hops not seen before, and a ledger row for each, in one transaction. */
  recordDelegations(records: readonly DelegationRecord[]): Promise<void> {
    return this.#writer.transaction(async (tx, append) => {
      const fresh = await this.#delegations.record(tx, records);
      const time = this.#ctx.clock();
      await append(fresh.map((record) => ({ entry: delegationEntry(record, time) })));
    });
  }

  requestApproval(
    request: ApprovalRequest,
  ): Promise<{ readonly approval: Approval; readonly created: boolean }> {
    return this.#approvals.request(request);
  }

  /** Decides a pending request and appends the row that records it, in one transaction. */
  decideApproval(id: string, decision: ApprovalDecisionInput): Promise<Approval> {
    return this.#writer.transaction(async (tx, append) => {
      const approval = await this.#approvals.decideIn(tx, id, decision);
      await append([{ entry: approvalEntry(approval, decision) }]);
      return approval;
    });
  }

  consumeApproval(id: string, binding: ApprovalBinding, at: number): Promise<ApprovalConsumption> {
    return this.#approvals.consume(id, binding, at);
  }

  getApproval(id: string): Promise<Approval | undefined> {
    return this.#approvals.get(id);
  }

  reserveBudgets(request: BudgetReservationRequest): Promise<BudgetReservationResult> {
    return this.#budgets.reserve(request);
  }

  releaseBudgets(id: string, callId: string): Promise<void> {
    return this.#budgets.release(id, callId);
  }

  /**
   * The decision row records what the reservation took (written here, so
   * release trusts it), and nothing else does. On SQLite, the reservation
   * runs inside the ledger's group commit, so it commits (durably) with its
   * decision row and the decision rows of every call decided meanwhile: no
   * commit of its own. On Postgres, where a batch of reservations taken in
   * arrival order could deadlock with another instance's, it commits on its
   * own first, then the row is appended.
   */
  async reserveAndAppend(
    request: BudgetReservationRequest,
    decide: (reservation: BudgetReservationResult) => LedgerAppend,
  ): Promise<ReservedAppend> {
    const recorded = ({ reservation, held }: TakenReservation) =>
      withHeldCharges(decide(reservation), request.id, held);
    if (this.#ctx.driver.dialect === "sqlite") {
      let reservation: BudgetReservationResult | undefined;
      const [record] = await this.#writer.append(async (tx) => {
        const taken = await this.#budgets.reserveIn(tx, request);
        reservation = taken.reservation;
        return [recorded(taken)];
      });
      return {
        reservation: reservation as BudgetReservationResult,
        record: record as LedgerRecord,
      };
    }
    const taken = await this.#budgets.take(request);
    try {
      const [record] = await this.#writer.append([recorded(taken)]);
      return { reservation: taken.reservation, record: record as LedgerRecord };
    } catch (error) {
      // Once: the row may have committed before the error, and its release may come too.
      await this.#budgets.giveBackOnce(request.id, taken.held).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Writes queued rows and a final checkpoint, places this writer's rows in
   * the ledger's tree and signs a final tree head (handed to the witnesses),
   * stops the live feed and closes the database.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        await this.#writer.close();
        await this.#tree.close(this.#writer.lastSeq);
      } finally {
        await this.#feed.close();
        await this.#ctx.driver.close();
      }
    })();
    return this.#closing;
  }

  // ── Directory ────────────────────────────────────────────────────────────

  putTenant(id: string): Promise<TenantRecord> {
    return this.#directory.putTenant(id);
  }

  listTenants(query?: DirectoryQuery): Promise<Page<TenantRecord>> {
    return this.#directory.listTenants(query);
  }

  putUser(input: PutUserInput): Promise<UserRecord> {
    return this.#directory.putUser(input);
  }

  setUserPermissions(id: string, permissions: GrantsInput): Promise<UserRecord> {
    return this.#directory.setUserPermissions(id, permissions);
  }

  getUser(id: string): Promise<UserRecord | undefined> {
    return this.#directory.getUser(id);
  }

  listUsers(query?: DirectoryQuery): Promise<Page<UserRecord>> {
    return this.#directory.listUsers(query);
  }

  removeUser(id: string): Promise<boolean> {
    return this.#directory.removeUser(id);
  }

  linkIdentity(user: string, identity: IdentityInput): Promise<LinkedIdentity> {
    return this.#directory.linkIdentity(user, identity);
  }

  unlinkIdentity(user: string, identity: IdentityInput): Promise<boolean> {
    return this.#directory.unlinkIdentity(user, identity);
  }

  userForIdentity(identity: IdentityInput): Promise<UserRecord | undefined> {
    return this.#directory.userForIdentity(identity);
  }

  provisionUser(input: PutUserInput, identity: IdentityInput): Promise<UserRecord> {
    return this.#directory.provisionUser(input, identity);
  }

  putRole(input: PutRoleInput): Promise<RoleRecord> {
    return this.#directory.putRole(input);
  }

  getRole(id: string): Promise<RoleRecord | undefined> {
    return this.#directory.getRole(id);
  }

  listRoles(query?: DirectoryQuery): Promise<Page<RoleRecord>> {
    return this.#directory.listRoles(query);
  }

  removeRole(id: string): Promise<boolean> {
    return this.#directory.removeRole(id);
  }

  assignRole(user: string, role: string): Promise<void> {
    return this.#directory.assignRole(user, role);
  }

  unassignRole(user: string, role: string): Promise<boolean> {
    return this.#directory.unassignRole(user, role);
  }

  putAgent(input: PutAgentInput): Promise<AgentRecord> {
    return this.#directory.putAgent(input);
  }

  setAgentPolicy(id: string, policy: GrantsInput): Promise<AgentRecord> {
    return this.#directory.setAgentPolicy(id, policy);
  }

  getAgent(id: string): Promise<AgentRecord | undefined> {
    return this.#directory.getAgent(id);
  }

  listAgents(query?: DirectoryQuery): Promise<Page<AgentRecord>> {
    return this.#directory.listAgents(query);
  }

  removeAgent(id: string): Promise<boolean> {
    return this.#directory.removeAgent(id);
  }

  addAgentKey(agent: string, key: PublicKeyInput): Promise<AgentKeyRecord> {
    return this.#directory.addAgentKey(agent, key);
  }

  removeAgentKey(agent: string, thumbprint: string): Promise<boolean> {
    return this.#directory.removeAgentKey(agent, thumbprint);
  }

  // ── Issuer keys, issuing and revoking ────────────────────────────────────

  issuerKeys(): Promise<IssuerKeySet> {
    return this.#issuerKeys.load();
  }

  async issuerJwks(): Promise<JsonWebKeySet> {
    return (await this.#issuerKeys.load()).jwks();
  }

  rotateIssuerKey(): Promise<string> {
    return this.#issuerKeys.rotate();
  }

  retireIssuerKey(kid: string): Promise<void> {
    return this.#issuerKeys.retire(kid);
  }

  issue(input: IssueInput): Promise<Writ> {
    return issueWritFromStore(
      {
        ctx: this.#ctx,
        directory: this.#directory,
        issuerKeys: this.#issuerKeys,
        revocations: this.#revocations,
        delegations: this.#delegations,
        writer: this.#writer,
      },
      input,
    );
  }

  revoke(input: RevokeInput): Promise<Revocation> {
    return this.#revocations.revoke(input);
  }

  listRevocations(query?: RevocationQuery): Promise<Page<Revocation>> {
    return this.#revocations.list(query);
  }

  // ── API keys ─────────────────────────────────────────────────────────────

  createApiKey(input?: CreateApiKeyInput): Promise<IssuedApiKey> {
    return this.#apiKeys.create(input);
  }

  async getApiKey(id: string): Promise<ApiKeyInfo | undefined> {
    const key = await this.#apiKeys.get(id);
    return key && withoutHash(key);
  }

  listApiKeys(query?: ApiKeyQuery): Promise<Page<ApiKeyInfo>> {
    return this.#apiKeys.page(query);
  }

  /** An API key with its hash and revocation, for the server that verifies presented keys. */
  findApiKey(id: string): Promise<StoredApiKey | undefined> {
    return this.#apiKeys.get(id);
  }

  /** Notes that an API key was used at `at` (epoch ms). */
  recordApiKeyUse(id: string, at: number): Promise<void> {
    return this.#apiKeys.recordUse(id, at);
  }

  /**
   * Imports API key records kept elsewhere (the `.writ/api-keys.json` of
   * earlier versions); ids already in the store are skipped. Resolves to
   * how many were new.
   */
  importApiKeys(records: readonly ApiKeyRecord[], by?: string): Promise<number> {
    return this.#apiKeys.import(records, by);
  }

  // ── Approvals ────────────────────────────────────────────────────────────

  budgetUsage(query?: BudgetUsageQuery): Promise<BudgetUsage[]> {
    return this.#budgets.usage(query);
  }

  listApprovals(query?: ApprovalQuery): Promise<Page<Approval>> {
    return this.#approvals.list(query);
  }

  approve(id: string, verdict: ApprovalVerdict): Promise<Approval> {
    return this.#decide(id, true, verdict);
  }

  reject(id: string, verdict: ApprovalVerdict): Promise<Approval> {
    return this.#decide(id, false, verdict);
  }

  // ── Ledger ───────────────────────────────────────────────────────────────

  // The ledger's readers first commit the rows still waiting for a durable
  // commit (outcomes), so they read every row this store was handed.

  async queryLedger(query?: LedgerQuery): Promise<LedgerPage> {
    await this.#writer.settle();
    return queryLedger(this.#ctx, this.#ctx.driver, query);
  }

  async verifyLedger(options?: VerifyLedgerOptions): Promise<LedgerVerification> {
    await this.#writer.settle();
    return verifyLedger(this.#ctx, this.#ctx.driver, options);
  }

  /** The newest signed tree head of the ledger's Merkle tree, if one was signed. */
  treeHead(): Promise<SignedTreeHead | undefined> {
    return this.#tree.newest();
  }

  /** Places every committed row in the tree now and signs a tree head if it grew; resolves to the newest. */
  async signTreeHead(): Promise<SignedTreeHead | undefined> {
    await this.#writer.settle();
    return (await this.#tree.advance({ sign: true })) ?? (await this.#tree.newest());
  }

  /** Evidence of one row (by event id) an auditor can check without the ledger: see verifyLedgerEvidence. */
  ledgerEvidence(eventId: string): Promise<LedgerEvidence> {
    if (typeof eventId !== "string" || eventId.length === 0)
      throw new TypeError("ledgerEvidence needs a ledger row's event id.");
    return this.#tree.evidence(eventId, !this.#ctx.readOnly);
  }

  /** A proof that the tree of `size1` rows is a prefix of the tree of `size2` (default: the whole tree). */
  consistencyProof(size1: number, size2?: number): Promise<ConsistencyProof> {
    return this.#tree.consistency(size1, size2);
  }

  ledgerChains(): Promise<LedgerChainInfo[]> {
    return ledgerChains(this.#ctx);
  }

  exportLedger(
    format: ExportFormat,
    query: Omit<LedgerQuery, "cursor" | "limit"> = {},
    options: ExportOptions = {},
  ): AsyncIterable<string> {
    return exportLines(
      format,
      query,
      (page) => this.queryLedger(page),
      options.treeHead === false ? async () => undefined : () => this.signTreeHead(),
    );
  }

  getPayload(hash: string): Promise<StoredPayload | undefined> {
    return this.#payloads.get(hash);
  }

  erasePayload(hash: string): Promise<boolean> {
    return this.#payloads.erase(hash);
  }

  listRootHops(query?: RootHopQuery): Promise<Page<DelegationRecord>> {
    return listRootHops(this.#ctx, query);
  }

  // ── Console sessions (the server's) ──────────────────────────────────────

  createConsoleSession(idHash: string, session: ConsoleSession): Promise<void> {
    return this.#sessions.create(idHash, session);
  }

  getConsoleSession(idHash: string, now: number): Promise<ConsoleSession | undefined> {
    return this.#sessions.get(idHash, now);
  }

  endConsoleSession(idHash: string): Promise<void> {
    return this.#sessions.end(idHash);
  }

  whatIf(input: WhatIfInput): Promise<WhatIfReport> {
    return whatIf(this.#ctx, input);
  }

  delegationTree(rootJti: string): Promise<DelegationNode | undefined> {
    if (typeof rootJti !== "string" || rootJti.length === 0)
      throw new TypeError("delegationTree needs a root hop's jti.");
    return this.#delegations.tree(rootJti);
  }

  // ── Internals ────────────────────────────────────────────────────────────

  /** An administrator's decision on an approval request, recorded in the ledger with it. */
  async #decide(id: string, approved: boolean, verdict: ApprovalVerdict): Promise<Approval> {
    if (typeof verdict?.by !== "string" || verdict.by.length === 0) {
      throw new TypeError("Say who decided: { by: <user id or operator name> }.");
    }
    const decision: ApprovalDecisionInput = {
      approved,
      by: verdict.by,
      at: this.#ctx.clock(),
      ...(verdict.reason === undefined ? {} : { reason: verdict.reason }),
    };
    return this.#change(async ({ tx, record }) => {
      const approval = await this.#approvals.decideIn(tx, id, decision);
      await record(approvalEntry(approval, decision));
      return approval;
    });
  }
}

function warnWitnessFailed(error: unknown, head: SignedTreeHead): void {
  process.emitWarning(
    `A tree head witness did not take the head of ${head.treeSize} rows (the next one covers it): ${error instanceof Error ? error.message : String(error)}`,
    { code: "WRIT_WITNESS_FAILED" },
  );
}
