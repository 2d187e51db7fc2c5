import { existsSync, linkSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { type Ed25519PrivateJwk, KeyPair, WritError } from "@writ/core";
import { UsageError } from "../usage-error.js";

/**
 * Reads a private key file (a private Ed25519 JWK, as `writ agents create`
 * writes an agent's). A file other users can read or change is refused:
 * whoever reads it can act as the key's holder, and a key that leaked that
 * way cannot be told from its holder.
 */
export function readKeyFile(path: string): KeyPair {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    throw new UsageError(
      `The key file ${path} does not exist or cannot be read: give the file holding the private key.`,
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

/**
 * The key in `path`, generated there first (owner-only) when the file does
 * not exist. Two processes that start together agree on one key: the new
 * file is written aside and linked into place, which fails if another got
 * there first, whose key is then read.
 */
export function readOrCreateKeyFile(path: string): KeyPair {
  if (existsSync(path)) return readKeyFile(path);
  const aside = `${path}.${process.pid}.new`;
  const created = KeyPair.generate();
  writeFileSync(aside, JSON.stringify(created.exportPrivateJwk()), { mode: 0o600 });
  try {
    linkSync(aside, path);
    return created;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return readKeyFile(path);
  } finally {
    rmSync(aside, { force: true });
  }
}

/** A private Ed25519 JWK's text, from a file or the environment (`where` names it in the error). */
export function parsePrivateKey(text: string, where: string): KeyPair {
  try {
    return KeyPair.fromPrivateJwk(JSON.parse(text) as Ed25519PrivateJwk);
  } catch {
    throw new UsageError(`The key (${where}) is not a private Ed25519 JWK.`);
  }
}
