import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface PackageManifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly exports: Readonly<Record<string, unknown>>;
  readonly bin?: Readonly<Record<string, string>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
}

export interface PublishablePackage {
  readonly manifest: PackageManifest;
  /** The file `pnpm pack` writes: @writ/core 0.1.0 → writ-core-0.1.0.tgz. */
  readonly tarball: string;
  /** Every specifier its exports map offers: "@writ/core", "@writ/core/testing", … */
  readonly entryPoints: readonly string[];
}

/** The packages under packages/ that are published, read from their package.json. */
export function publishablePackages(): PublishablePackage[] {
  const folder = join(ROOT, "packages");
  return readdirSync(folder)
    .sort()
    .map(
      (name) =>
        JSON.parse(readFileSync(join(folder, name, "package.json"), "utf8")) as PackageManifest,
    )
    .filter((manifest) => manifest.private !== true)
    .map((manifest) => ({
      manifest,
      tarball: `${manifest.name.replace(/^@/, "").replace("/", "-")}-${manifest.version}.tgz`,
      entryPoints: Object.keys(manifest.exports)
        .filter((subpath) => subpath !== "./package.json")
        .map((subpath) => manifest.name + subpath.slice(1)),
    }));
}

/**
 * The third-party peer dependencies of these packages, each at the version the
 * workspace tests it with (its devDependencies), as `name@version` for npm.
 */
export function testedPeers(packages: readonly PublishablePackage[]): string[] {
  const peers = new Map<string, string>();
  for (const { manifest } of packages) {
    for (const peer of Object.keys(manifest.peerDependencies ?? {})) {
      if (peer.startsWith("@writ/")) continue;
      const tested = manifest.devDependencies?.[peer];
      if (tested === undefined)
        throw new Error(
          `${manifest.name} has the peer ${peer} but no tested version of it in devDependencies.`,
        );
      peers.set(peer, tested);
    }
  }
  return [...peers].map(([name, version]) => `${name}@${version}`);
}
