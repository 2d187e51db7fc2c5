/**
 * The `fs.canonical` set: absolute paths with nothing to resolve. Conditions
 * judge arguments as sent. `path startsWith "/data/public/"` refuses `..`
 * segments, but not a symlink in public/ that leads into finance/, which
 * server-filesystem follows (it only confines real paths to its root, which
 * holds both folders). This resolver is asked at call time and admits a path
 * only if it is already what the server will open: absolute, no `.` or `..`
 * segments or doubled slashes, no symlink on the way.
 */
import { existsSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, normalize } from "node:path";
import type { SetResolver } from "@writ/core";

export const isCanonicalPath: SetResolver = (value) => {
  if (typeof value !== "string" || !isAbsolute(value)) return false;
  const trimmed = value.length > 1 && value.endsWith("/") ? value.slice(0, -1) : value;
  if (normalize(trimmed) !== trimmed) return false;
  // A file about to be written does not exist yet: check its folder instead.
  const real = existsSync(trimmed)
    ? realpathSync(trimmed)
    : existsSync(dirname(trimmed))
      ? join(realpathSync(dirname(trimmed)), basename(trimmed))
      : undefined;
  return real === trimmed;
};
