import { readFileSync, statSync } from "node:fs";
import { type Ed25519PrivateJwk, KeyPair, WritError } from "@writ/core";
import { UsageError } from "../usage-error.js";

/**
 * Reads an agent's private key file (a private Ed25519 JWK, as `writ agents
 * create` writes it). A file other users can read or change is refused:
 * whoever reads it can act as the agent, and a key that leaked that way
 * cannot be told from the agent.
 */
export function readKeyFile(path: string): KeyPair {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    throw new UsageError(
      `The key file ${path} does not exist or cannot be read: give the file holding the agent's private key.`,
    );
  }
  if ((mode & 0o077) !== 0) {
    throw new WritError(
      "key.file_exposed",
      `The key file ${path} is open to other users (mode ${(mode & 0o777).toString(8).padStart(3, "0")}); make it yours alone with: chmod 600 ${path}`,
    );
  }
  return parsePrivateKey(readFileSync(path, "utf8"), path);
}

/** A private Ed25519 JWK's text, from a file or the environment (`where` names it in the error). */
export function parsePrivateKey(text: string, where: string): KeyPair {
  try {
    return KeyPair.fromPrivateJwk(JSON.parse(text) as Ed25519PrivateJwk);
  } catch {
    throw new UsageError(`The agent's key (${where}) is not a private Ed25519 JWK.`);
  }
}
