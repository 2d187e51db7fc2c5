import { WritError } from "@writ/core";
import {
  AuthorizationResponseError,
  OperationProcessingError,
  ResponseBodyError,
  WWWAuthenticateChallengeError,
} from "oauth4webapi";

/** What the broker was doing with the provider when it failed. */
export type ProviderOperation = "discovery" | "authorization" | "code" | "refresh" | "revocation";

const WHAT: Readonly<Record<ProviderOperation, string>> = {
  discovery: "its metadata could not be read",
  authorization: "the authorization response is not valid",
  code: "the authorization code could not be exchanged",
  refresh: "the access token could not be refreshed",
  revocation: "the token could not be revoked",
};

/** An OAuth error code as RFC 6749 spells them: safe to report, unlike free text. */
const ERROR_CODE = /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/;

/**
 * A provider failure as a WritError with a stable code. The provider's own
 * error description and the oauth4webapi error are never kept, not even as
 * the cause: the library attaches response bodies (which can hold tokens)
 * and callback parameters (the authorization code) to what it throws.
 */
export function providerFailure(
  error: unknown,
  provider: string,
  operation: ProviderOperation,
): WritError {
  if (error instanceof WritError) return error;
  const details = { name: provider, operation };
  if (error instanceof AuthorizationResponseError) {
    const code = oauthCode(error.error);
    if (code === "access_denied") {
      return new WritError(
        "credential.connect_denied",
        `The user did not grant access at provider "${provider}".`,
        { ...details, error: code },
      );
    }
    return new WritError(
      "credential.provider_error",
      `Provider "${provider}" refused the authorization request${code ? ` (${code})` : ""}.`,
      { ...details, ...(code ? { error: code } : {}) },
    );
  }
  if (error instanceof ResponseBodyError) {
    const code = oauthCode(error.error);
    if (code === "invalid_grant" && operation === "refresh") {
      return new WritError(
        "credential.broken",
        `Provider "${provider}" no longer accepts this connection's refresh token (invalid_grant): the user must connect again.`,
        { ...details, error: code },
      );
    }
    if (error.status >= 500 || code === "server_error" || code === "temporarily_unavailable") {
      return unavailable(provider, operation, error.status);
    }
    return new WritError(
      "credential.provider_error",
      `Provider "${provider}" answered with an error: ${WHAT[operation]}${code ? ` (${code})` : ""}.`,
      { ...details, status: error.status, ...(code ? { error: code } : {}) },
    );
  }
  if (error instanceof WWWAuthenticateChallengeError) {
    if (error.status >= 500) return unavailable(provider, operation, error.status);
    return new WritError(
      "credential.provider_error",
      `Provider "${provider}" refused the broker's client authentication: ${WHAT[operation]} (check the client id and secret).`,
      { ...details, status: error.status },
    );
  }
  if (error instanceof OperationProcessingError) {
    const status = error.cause instanceof Response ? error.cause.status : undefined;
    if (status !== undefined && status >= 500) return unavailable(provider, operation, status);
    return new WritError(
      "credential.provider_error",
      `Provider "${provider}" answered in a way OAuth does not allow: ${WHAT[operation]}.`,
      { ...details, ...(error.code === undefined ? {} : { reason: error.code }) },
    );
  }
  if (isNetworkFailure(error)) return unavailable(provider, operation);
  return new WritError(
    "credential.provider_error",
    `The exchange with provider "${provider}" failed: ${WHAT[operation]}.`,
    details,
  );
}

function unavailable(provider: string, operation: ProviderOperation, status?: number): WritError {
  return new WritError(
    "credential.provider_unavailable",
    `Provider "${provider}" is unavailable${status === undefined ? " (unreachable or too slow)" : ` (HTTP ${status})`}: ${WHAT[operation]}. Try again later.`,
    { name: provider, operation, ...(status === undefined ? {} : { status }) },
  );
}

/** fetch's own failures: nothing reached the provider, or it did not answer in time. */
function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === "TimeoutError" ||
    error.name === "AbortError" ||
    (error instanceof TypeError && error.message === "fetch failed")
  );
}

function oauthCode(value: unknown): string | undefined {
  return typeof value === "string" && ERROR_CODE.test(value) ? value : undefined;
}
