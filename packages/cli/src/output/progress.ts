import type { Colors } from "./colors.js";

/**
 * A one-line progress report on a terminal's stderr (nothing when stderr is
 * not a terminal, so pipes and logs stay clean): a count and a rate, or a
 * spinner with the elapsed time when there is nothing to count.
 */
export class Progress {
  readonly #stream: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly #colors: Colors;
  readonly #label: string;
  readonly #started = Date.now();
  #count = 0;
  #drawn = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    stream: NodeJS.WritableStream & { readonly isTTY?: boolean },
    colors: Colors,
    label: string,
  ) {
    this.#stream = stream;
    this.#colors = colors;
    this.#label = label;
    if (stream.isTTY) {
      this.#timer = setInterval(() => this.#draw(), 100);
      this.#timer.unref();
    }
  }

  /** Counts `n` more items. */
  tick(n = 1): void {
    this.#count += n;
  }

  get count(): number {
    return this.#count;
  }

  /** Clears the line. */
  stop(): void {
    clearInterval(this.#timer);
    if (this.#stream.isTTY && this.#drawn > 0) this.#stream.write("\r\u001b[2K");
  }

  #draw(): void {
    const seconds = (Date.now() - this.#started) / 1000;
    const frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
    const spinner = frames[this.#drawn++ % frames.length] ?? "";
    const detail =
      this.#count > 0
        ? `${this.#count.toLocaleString("en")} rows, ${Math.round(this.#count / Math.max(seconds, 0.001)).toLocaleString("en")}/s`
        : `${seconds.toFixed(1)} s`;
    this.#stream.write(
      `\r\u001b[2K${this.#colors.cyan(spinner)} ${this.#label} ${this.#colors.dim(detail)}`,
    );
  }
}
