/** A mistake on the command line: exits with EXIT_CODES.usage and the command's help hint. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  /** The command whose help to point at, e.g. "users put". */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}
