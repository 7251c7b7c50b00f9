/**
 * The one base class for Weir's internal errors: a stable machine-readable code and an optional
 * cause. Kafka protocol errors are not exceptions: they are error codes returned in responses.
 */
export class WeirError extends Error {
  override readonly name: string = "WeirError";
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function assertNever(value: never, what = "value"): never {
  throw new WeirError("UNREACHABLE", `unexpected ${what}: ${JSON.stringify(value)}`);
}
