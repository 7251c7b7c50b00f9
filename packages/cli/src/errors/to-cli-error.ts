import { ConfigError, KafkaError, NetworkError } from "@weir/client";
import { CliError } from "../cli-error.js";
import { ExitCode } from "../exit-code.js";
import { hintFor } from "./error-hints.js";

export const UNREACHABLE_HINT =
  "is a broker running there? Set the address with --bootstrap-server or $WEIR_BOOTSTRAP_SERVER";

/**
 * Turns what an operation threw into what the user sees: Kafka errors keep their Kafka name in the
 * message and get a hint (exit code 1); an unreachable cluster or a lost connection exits with 3;
 * a bad client property is a usage error (2). Returns undefined for anything else (a bug).
 */
export function toCliError(err: unknown): CliError | undefined {
  if (err instanceof CliError) return err;
  if (err instanceof ConfigError) {
    return new CliError(
      err.message,
      ExitCode.USAGE,
      "check the client properties given with -X and --command-config",
    );
  }
  if (err instanceof NetworkError) {
    return new CliError(withName(err), ExitCode.UNREACHABLE, UNREACHABLE_HINT);
  }
  if (err instanceof KafkaError) {
    return new CliError(withName(err), ExitCode.OPERATION_FAILED, hintFor(err.name));
  }
  return undefined;
}

/** The message, led by the Kafka error name unless it already says it. */
function withName(err: KafkaError): string {
  return err.message.includes(err.name) ? err.message : `${err.name}: ${err.message}`;
}
