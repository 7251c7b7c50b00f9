import { WeirError } from "../errors.js";

export type ConfigErrorCode =
  /** A value does not parse or fails validation. */
  | "INVALID_CONFIG"
  /** The properties text itself is malformed (a bad \uXXXX escape, a --set without '='). */
  | "MALFORMED_PROPERTIES"
  /** Values that are each valid but contradict each other. */
  | "CONFLICTING_CONFIG";

/** Startup-time configuration problems: the broker refuses to start and prints the message. */
export class ConfigError extends WeirError {
  override readonly name = "ConfigError";
  constructor(
    override readonly code: ConfigErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
