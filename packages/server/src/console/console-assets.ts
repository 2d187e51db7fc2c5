import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { WritApp } from "../routes/route-context.js";

const TYPES: Readonly<Record<string, string>> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
};

/**
 * The console's stylesheet and scripts: plain files shipped in the package
 * (no build step), read once and served from this origin with an ETag.
 */
export function registerConsoleAssets(app: WritApp, folder: URL): void {
  const files = new Map<string, { body: string; type: string; etag: string }>();
  const load = (name: string) => {
    const cached = files.get(name);
    if (cached) return cached;
    const type = TYPES[name.split(".").pop() ?? ""];
    if (!/^[a-z-]+\.(css|js)$/.test(name) || !type) return undefined;
    let body: string;
    try {
      body = readFileSync(new URL(name, folder), "utf8");
    } catch {
      return undefined;
    }
    const file = {
      body,
      type,
      etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"`,
    };
    files.set(name, file);
    return file;
  };
  app.get("/console/assets/:name", (c) => {
    const file = load(c.req.param("name"));
    if (!file) return c.text("Not found", 404);
    if (c.req.header("if-none-match") === file.etag) return c.body(null, 304);
    return c.body(file.body, 200, {
      "content-type": file.type,
      etag: file.etag,
      "cache-control": "no-cache",
    });
  });
}
