import { ExitCode } from "./exit-code.js";

/**
 * A failure the user can act on: printed as one message, a hint when there is one, and for usage
 * errors the command's synopsis; the process exits with `exitCode`.
 */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.OPERATION_FAILED,
    readonly hint?: string,
    readonly usage?: string,
  ) {
    super(message);
  }

  /** The same error with the command's synopsis to print under it. */
  withUsage(usage: string): CliError {
    return new CliError(this.message, this.exitCode, this.hint, usage);
  }
}

/** A mistake on the command line: exit code 2, and the command's usage under the message. */
export function usageError(message: string, usage?: string): CliError {
  return new CliError(message, ExitCode.USAGE, undefined, usage);
}
