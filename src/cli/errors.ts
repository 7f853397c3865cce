/** An error a CLI command reports as one line to stderr, exiting 2 (usage) or 1 (failure). */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}
