import type { IncomingMessage } from "node:http";

export type JsonBody =
  | { readonly ok: true; readonly body: unknown }
  | { readonly ok: false; readonly status: 400 | 413; readonly message: string };

/**
 * Reads and parses a JSON request body. Past `limit` bytes nothing more is
 * kept: the rest is drained (so the refusal can still be sent) and refused.
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<JsonBody> {
  const declared = Number(req.headers["content-length"]);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number.isFinite(declared) && declared > limit;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
    });
    req.on("error", reject);
    req.on("end", () => {
      if (over) {
        resolve({ ok: false, status: 413, message: `The request body exceeds ${limit} bytes.` });
        return;
      }
      try {
        resolve({ ok: true, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      } catch {
        resolve({ ok: false, status: 400, message: "Parse error: the body is not JSON." });
      }
    });
  });
}
