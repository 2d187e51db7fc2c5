import type { StoredConnection } from "@writ/core/backend";

/** A user's connection to a provider as the broker reports it: never a token. */
export interface ConnectionInfo {
  readonly id: string;
  readonly user: string;
  readonly tenant?: string;
  readonly provider: string;
  /** `broken`: the provider refused the refresh token; the user must connect again. */
  readonly status: "active" | "broken";
  /** The provider scopes the user granted. */
  readonly scopes: readonly string[];
  /** Epoch ms. */
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly refreshedAt?: number;
  readonly brokenAt?: number;
  /** An error code (`credential.broken`), never the provider's text. */
  readonly brokenReason?: string;
}

export function connectionInfo(connection: StoredConnection): ConnectionInfo {
  const { refreshToken: _sealed, version: _version, ...info } = connection;
  return info;
}
