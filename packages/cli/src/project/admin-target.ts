import type { IssuerKeyInfo, RemoteStoreAdmin } from "@writ/client";
import type { IssuerKeyStatus } from "@writ/core";
import type { StoreBackend } from "@writ/store";
import { UsageError } from "../usage-error.js";
import { importApiKeyFile } from "./import-api-keys.js";
import type { Project } from "./project.js";
import { describeStore, openStore, projectStoreLocation } from "./project-store.js";

/** A store or server the CLI administers. */
export interface AdminTarget {
  readonly admin: RemoteStoreAdmin;
  /** Names it in messages, without secrets. */
  readonly where: string;
  readonly connection:
    | { readonly kind: "local"; readonly store: StoreBackend }
    | { readonly kind: "remote"; readonly url: string; readonly apiKey: string };
  issuerKeyInfo(): Promise<{ readonly issuer: string; readonly keys: readonly IssuerKeyInfo[] }>;
  close(): Promise<void>;
}

export interface TargetOptions {
  readonly url?: string | undefined;
  readonly apiKey?: string | undefined;
  readonly databaseUrl?: string | undefined;
  /** Tells the user something happened on the way (a one-time import). */
  readonly warn: (message: string) => void;
  /** The command only reads: a read-only store (a backup, a read-only file system) will do. */
  readonly readOnly?: boolean;
}

/**
 * What a command administers, in this order: a server named by --url
 * (WRIT_URL); the server `writ serve` runs on this project (an embedded
 * SQLite store belongs to one process, so the CLI then goes through it);
 * the project's store (its SQLite file, or its Postgres database named by
 * --database-url or WRIT_DATABASE_URL); without a project, the Postgres
 * store that URL names.
 */
export async function openAdminTarget(
  project: Project,
  options: TargetOptions,
): Promise<AdminTarget> {
  const running = options.url === undefined ? project.server() : undefined;
  const url = options.url ?? running?.url;
  if (url !== undefined) {
    const apiKey = options.apiKey ?? project.credentials();
    if (apiKey === undefined) {
      throw new UsageError(
        `The Writ server at ${url} needs an API key: pass --api-key or set WRIT_API_KEY.`,
      );
    }
    // Loaded on use: a command that needs no store or server starts faster.
    const { RemoteAdmin } = await import("@writ/client");
    const admin = new RemoteAdmin({ url, apiKey });
    return {
      admin,
      where: `the Writ server at ${url}`,
      connection: { kind: "remote", url, apiKey },
      issuerKeyInfo: () => admin.issuerKeyInfo(),
      close: async () => undefined,
    };
  }
  const location = projectStoreLocation(project, { databaseUrl: options.databaseUrl });
  const store = await openStore(location, { readOnly: options.readOnly === true });
  const where = describeStore(location);
  // A read-only copy keeps its key file: importing is a change.
  if (project.exists() && !store.readOnly) await importApiKeyFile(project, store, options.warn);
  return {
    admin: store,
    where,
    connection: { kind: "local", store },
    issuerKeyInfo: async () => {
      const keys = await store.issuerKeys();
      return {
        issuer: keys.issuer,
        keys: keys.jwks().keys.map((jwk) => ({
          kid: jwk.kid as string,
          status: keys.statusOf(jwk.kid as string) as IssuerKeyStatus,
          jwk,
        })),
      };
    },
    close: () => store.close(),
  };
}
