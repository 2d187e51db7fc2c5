import { formatGrants, type Grant } from "@writ/core";
import type { Colors } from "./colors.js";
import { renderTable } from "./table.js";

/** Everything a command prints goes through here: colour, tables and --json in one place. */
export class Output {
  readonly colors: Colors;
  readonly json: boolean;
  readonly #stdout: NodeJS.WritableStream;
  readonly #stderr: NodeJS.WritableStream;

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
    this.#stdout.write(`${text}\n`);
  }

  /** A value as indented JSON on stdout (for --json). */
  data(value: unknown): void {
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
    this.#stderr.write(`${this.colors.green("✓")} ${text}\n`);
  }

  note(text: string): void {
    this.#stderr.write(`${this.colors.dim(text)}\n`);
  }

  warn(text: string): void {
    this.#stderr.write(`${this.colors.yellow("!")} ${text}\n`);
  }

  error(text: string): void {
    this.#stderr.write(`${this.colors.red("error")} ${text}\n`);
  }

  grants(grants: readonly Grant[]): string {
    return grants.length === 0 ? this.colors.dim("(none)") : formatGrants(grants);
  }

  time(epochMs: number | undefined): string {
    return epochMs === undefined ? "" : new Date(epochMs).toISOString().replace(".000Z", "Z");
  }
}
