import type { Readable } from "node:stream";

/** How much of a stdio upstream's stderr is kept: its last lines, up to this many bytes. */
const KEPT_BYTES = 16 * 1024;

/**
 * A stdio upstream's stderr: the last lines are kept so that when the server
 * fails, the gateway can say why in its own words (the `upstream.down` event
 * carries them, `gateway.status()` shows them); with `inherit` they also go
 * to the gateway's stderr as they come, each line prefixed with the upstream.
 */
export class StderrTail {
  readonly #name: string;
  readonly #inherit: boolean;
  #kept = "";

  constructor(name: string, mode: "inherit" | "ignore") {
    this.#name = name;
    this.#inherit = mode === "inherit";
  }

  attach(stream: Readable | null): void {
    if (stream === null) return;
    stream.setEncoding("utf8");
    let partial = "";
    stream.on("data", (chunk: string) => {
      this.#kept = (this.#kept + chunk).slice(-KEPT_BYTES);
      if (!this.#inherit) return;
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) process.stderr.write(`[${this.#name}] ${line}\n`);
    });
    stream.on("end", () => {
      if (this.#inherit && partial !== "") process.stderr.write(`[${this.#name}] ${partial}\n`);
    });
  }

  /** The last lines the server wrote (at most `lines`), or undefined when it wrote none. */
  tail(lines = 20): string | undefined {
    const kept = this.#kept.trimEnd();
    if (kept === "") return undefined;
    return kept.split("\n").slice(-lines).join("\n");
  }
}
