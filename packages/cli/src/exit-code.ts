/**
 * The exit codes of `weir`, documented in `weir --help`. Scripts can tell a failed operation (1)
 * from a mistyped command line (2) and from a cluster that cannot be reached at all (3).
 */
export const ExitCode = {
  /** The command did what was asked. */
  OK: 0,
  /** The cluster refused or failed the operation (the Kafka error name is printed), or bad input data. */
  OPERATION_FAILED: 1,
  /** The command line is wrong: unknown command or flag, a missing or malformed value. */
  USAGE: 2,
  /** No broker of --bootstrap-server answered, or the connection was lost. */
  UNREACHABLE: 3,
  /** A bug in weir: an unexpected exception (EX_SOFTWARE). */
  INTERNAL: 70,
  /** Interrupted by Ctrl-C (128 + SIGINT). */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
