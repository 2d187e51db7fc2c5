import { formatGrants, type Grant } from "@writ/core";
import type { Colors } from "./colors.js";
import { renderTable } from "./table.js";

/** Everything a command prints goes through here: colour, tables and --json in one place. */
export class Output {
  readonly colors: Colors;
  readonly json: boolean;
  readonly #stdout: NodeJS.WritableStream;
  readonly #stderr: NodeJS.WritableStream;
  /** Under --json: what `done` reported, printed as the result when the command printed none. */
  readonly #done: string[] = [];
  /** Under --json: what `error` reported, printed as one JSON failure at the end. */
  readonly #errors: string[] = [];
  #printed = false;

  constructor(
    stdout: NodeJS.WritableStream,
    stderr: NodeJS.WritableStream,
    colors: Colors,
    json: boolean,
  ) {
    this.#stdout = stdout;
    this.#stderr = stderr;
    this.colors = colors;
    this.json = json;
  }

  /** A line of the command's result, on stdout. */
  line(text = ""): void {
    this.#printed = true;
    this.#stdout.write(`${text}\n`);
  }

  /** A value as indented JSON on stdout (for --json). */
  data(value: unknown): void {
    this.#printed = true;
    this.#stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  table(headers: readonly string[], rows: readonly (readonly string[])[], empty = "(none)"): void {
    if (rows.length === 0) {
      this.line(this.colors.dim(empty));
      return;
    }
    this.line(renderTable(headers, rows, this.colors));
  }

  /** A fact about what was done, on stderr so stdout stays the result. */
  done(text: string): void {
    if (this.json) {
      this.#done.push(text);
      return;
    }
    this.#stderr.write(`${this.colors.green("✓")} ${text}\n`);
  }

  /** A hint for a person, on stderr; left out under --json. */
  note(text: string): void {
    if (!this.json) this.#stderr.write(`${this.colors.dim(text)}\n`);
  }

  warn(text: string): void {
    if (this.json) this.#stderr.write(`${JSON.stringify({ warning: text })}\n`);
    else this.#stderr.write(`${this.colors.yellow("!")} ${text}\n`);
  }

  /** The end of a command: under --json, one that changed something and printed no result reports what it did. */
  finish(exitCode: number): void {
    if (!this.json) return;
    if (this.#errors.length > 0) this.failure({ message: this.#errors.join(" "), exitCode });
    else if (!this.#printed && this.#done.length > 0) this.data({ ok: true, done: this.#done });
  }

  /** A failure under --json, as one JSON object on stderr (stdout stays the result, here none). */
  failure(error: {
    readonly code?: string;
    readonly message: string;
    readonly exitCode: number;
    readonly usage?: string;
  }): void {
    this.#stderr.write(`${JSON.stringify({ error })}\n`);
  }

  error(text: string): void {
    if (this.json) {
      this.#errors.push(text);
      return;
    }
    this.#stderr.write(`${this.colors.red("error")} ${text}\n`);
  }

  grants(grants: readonly Grant[]): string {
    return grants.length === 0 ? this.colors.dim("(none)") : formatGrants(grants);
  }

  time(epochMs: number | undefined): string {
    return epochMs === undefined ? "" : new Date(epochMs).toISOString().replace(".000Z", "Z");
  }
}
