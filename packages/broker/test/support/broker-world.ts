import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type CredentialBroker,
  type CredentialBrokerOptions,
  CredentialKeyring,
  createCredentialBroker,
  type OAuthProviderOptions,
} from "@writ/broker";
import {
  type AllowDecision,
  type CallInput,
  createAgentIdentity,
  createGuard,
  type Decision,
  type Guard,
  Session,
} from "@writ/core";
import { type StoreBackend, sqliteBackend } from "@writ/store";
import {
  API_RESOURCE,
  CLIENT_ID,
  CLIENT_SECRET,
  REDIRECT_URI,
  startTestAuthorizationServer,
  type TestAuthorizationServer,
} from "./test-authorization-server.js";

export const PERMISSIONS = "email.*; calendar.read; docs.read; notes.write";
const POLICY = "email.*; calendar.read; docs.read; notes.write";

/** The mail provider as an application would declare it. */
export function mailProvider(issuer: string): OAuthProviderOptions {
  return {
    id: "mail",
    issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT_URI,
    resource: API_RESOURCE,
    scopes: {
      "email.send": ["mail.send"],
      "email.*": ["mail.read"],
      "calendar.read": ["calendar.read"],
      "docs.read": [],
    },
    allowInsecureHttp: true,
  };
}

export interface BrokerWorld {
  readonly provider: TestAuthorizationServer;
  readonly store: StoreBackend;
  readonly dbPath: string;
  readonly guard: Guard;
  readonly broker: CredentialBroker;
  readonly keyring: CredentialKeyring;
  /** The key-encryption key of `keyring` (id "k1"). */
  readonly kek: Buffer;
  /** Moves every clock of the world (store, guard, sessions, broker) forward. */
  advance(ms: number): void;
  readonly clock: () => number;
  /** Every access and refresh token value the provider's token endpoint handed the broker. */
  readonly seenTokens: Set<string>;
  /** The session of agent "mailer" acting for `user`. */
  session(user?: string): Promise<Session>;
  /** Authorizes a call (without ending it). */
  authorize(action: string, user?: string): Promise<Decision>;
  /** Runs a guarded call whose tool asks the broker for a token. */
  runWithToken(
    action: string,
    use: (decision: AllowDecision) => Promise<unknown>,
    user?: string,
  ): Promise<unknown>;
  /** Connects `user` through the provider's real authorization endpoints. */
  connect(user?: string): Promise<void>;
  /** Another broker on the same store: what a second process would run. */
  anotherBroker(options?: Partial<CredentialBrokerOptions>): CredentialBroker;
  /** A broker without a guard, as the Writ server runs one (connect routes, remote guards' calls). */
  serverBroker(): CredentialBroker;
  close(): Promise<void>;
}

export async function createBrokerWorld(
  options: { readonly accessTokenTtl?: number } = {},
): Promise<BrokerWorld> {
  const provider = await startTestAuthorizationServer(options);
  const folder = mkdtempSync(join(tmpdir(), "writ-broker-"));
  const dbPath = join(folder, "writ.db");
  let offset = 0;
  const clock = () => Date.now() + offset;
  const store = await sqliteBackend({ path: dbPath, clock });
  const mailer = createAgentIdentity("mailer");
  await store.putAgent({ id: "mailer", policy: POLICY, keys: [mailer] });
  for (const user of ["alice", "bob"]) await store.putUser({ id: user, permissions: PERMISSIONS });
  const guard = await createGuard({
    backend: store,
    issuer: await store.issuerKeys(),
    audience: "urn:writ:broker-test",
    clock,
  });
  const kek = randomBytes(32);
  const keyring = new CredentialKeyring({ keys: [{ id: "k1", key: kek }] });
  const seenTokens = new Set<string>();
  // Reads the provider's token responses on their way to the broker, to know what must never be stored in clear.
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (new URL(String(input)).pathname === "/token" && response.ok) {
      const body = (await response.clone().json()) as Record<string, unknown>;
      for (const name of ["access_token", "refresh_token"]) {
        if (typeof body[name] === "string") seenTokens.add(body[name]);
      }
    }
    return response;
  };
  const brokerOptions = (overrides: Partial<CredentialBrokerOptions> = {}) => ({
    store: store.credentials,
    ledger: store,
    keyring,
    guard,
    providers: [mailProvider(provider.issuer)],
    fetch: recordingFetch,
    clock,
    ...overrides,
  });
  const broker = createCredentialBroker(brokerOptions());

  const session = async (user = "alice") =>
    new Session(mailer, await store.issue({ user, agent: "mailer" }), { clock });
  const callInput = (action: string): CallInput => ({
    action,
    tool: action.replace(".", "_"),
    args: { to: "carol@example.com" },
  });

  return {
    provider,
    store,
    dbPath,
    guard,
    broker,
    keyring,
    kek,
    clock,
    seenTokens,
    advance: (ms) => {
      offset += ms;
    },
    session,
    authorize: async (action, user) =>
      guard.authorize(guard.callFrom(await session(user), callInput(action))),
    runWithToken: async (action, use, user) => {
      const result = await guard.run(guard.callFrom(await session(user), callInput(action)), use);
      if (!("output" in result))
        throw new Error(`The guard refused the call: ${result.decision.code}`);
      return result.output;
    },
    connect: async (user = "alice") => {
      const started = await broker.startConnect({ user, provider: "mail" });
      const callback = await provider.approve(started.authorizationUrl, user);
      await broker.completeConnect({ provider: "mail", user, callback });
    },
    anotherBroker: (overrides) => createCredentialBroker(brokerOptions(overrides)),
    serverBroker: () => {
      const { guard: _guard, ...options } = brokerOptions();
      return createCredentialBroker(options);
    },
    close: async () => {
      await guard.close();
      await store.close();
      await provider.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
