import { ErrorCode, errorName, isRetriable } from "@weir/protocol";

/**
 * Every error the client raises is a KafkaError: `name` is Kafka's error name (as in
 * errors.tsv: NOT_LEADER_OR_FOLLOWER, MESSAGE_TOO_LARGE …), `code` its numeric code and
 * `retriable` whether Kafka's clients treat it as transient. Conditions that happen only inside
 * the client are mapped to the Kafka error a Java client reports for them (a dead connection is
 * NETWORK_EXCEPTION, an expired request REQUEST_TIMED_OUT, bad options INVALID_CONFIG); the one
 * with no Kafka counterpart, using a closed client, is CLIENT_CLOSED with code null.
 *
 * The subclasses exist so callers can branch with `instanceof` without comparing strings.
 */
export class KafkaError extends Error {
  override readonly name: string;
  /** Kafka error code; null only for CLIENT_CLOSED, which has no Kafka counterpart. */
  readonly code: number | null;
  readonly retriable: boolean;
  /** `host:port` (and node id when known) of the broker involved, when there was one. */
  readonly broker?: string;
  readonly topic?: string;
  readonly partition?: number;

  constructor(code: number | null, message: string, options: KafkaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = options.name ?? (code === null ? "CLIENT_CLOSED" : errorName(code));
    this.retriable = options.retriable ?? (code === null ? false : isRetriable(code));
    if (options.broker !== undefined) this.broker = options.broker;
    if (options.topic !== undefined) this.topic = options.topic;
    if (options.partition !== undefined) this.partition = options.partition;
  }
}

export interface KafkaErrorOptions {
  cause?: unknown;
  /** Overrides the name derived from the code (only for client-side names). */
  name?: string;
  /** Overrides Kafka's retriable flag for the code. */
  retriable?: boolean;
  broker?: string;
  topic?: string;
  partition?: number;
}

/** The broker could not be reached, or the connection broke before the response arrived. */
export class NetworkError extends KafkaError {
  constructor(message: string, options: Omit<KafkaErrorOptions, "name" | "retriable"> = {}) {
    super(ErrorCode.NETWORK_EXCEPTION, message, options);
  }
}

/**
 * The broker sent bytes the client cannot decode. The connection is closed (nothing after a bad
 * frame can be trusted) and the request is retried like any other network failure; `cause` is the
 * protocol package's ProtocolError.
 */
export class MalformedResponseError extends NetworkError {}

/** A request got no response within request.timeout.ms, or a send exceeded its time budget. */
export class TimeoutError extends KafkaError {
  constructor(message: string, options: Omit<KafkaErrorOptions, "name"> = {}) {
    super(ErrorCode.REQUEST_TIMED_OUT, message, options);
  }
}

/** An option failed validation (INVALID_CONFIG). */
export class ConfigError extends KafkaError {
  constructor(message: string) {
    super(ErrorCode.INVALID_CONFIG, message);
  }
}

/** A record is larger than max.request.size or buffer.memory (MESSAGE_TOO_LARGE). */
export class RecordTooLargeError extends KafkaError {
  constructor(message: string, options: Omit<KafkaErrorOptions, "name" | "retriable"> = {}) {
    super(ErrorCode.MESSAGE_TOO_LARGE, message, { ...options, retriable: false });
  }
}

/** Client and broker share no version of an API the operation needs (UNSUPPORTED_VERSION). */
export class UnsupportedVersionError extends KafkaError {
  constructor(message: string, options: Omit<KafkaErrorOptions, "name" | "retriable"> = {}) {
    super(ErrorCode.UNSUPPORTED_VERSION, message, { ...options, retriable: false });
  }
}

/** The producer, admin or client was closed before the operation finished. */
export class ClientClosedError extends KafkaError {
  constructor(message: string) {
    super(null, message, { retriable: false });
  }
}

/** An error code from a response, as a KafkaError with a message naming what failed. */
export function brokerError(
  code: number,
  what: string,
  options: Omit<KafkaErrorOptions, "name" | "retriable"> & { message?: string | null } = {},
): KafkaError {
  const detail = options.message ? `: ${options.message}` : "";
  return new KafkaError(code, `${what} failed with ${errorName(code)}${detail}`, options);
}

/** Whether `err` is worth retrying: a retriable KafkaError. Anything else is final. */
export function isRetriableError(err: unknown): boolean {
  return err instanceof KafkaError && err.retriable;
}

/** Wraps anything thrown into a KafkaError (programming errors keep their message and cause). */
export function asKafkaError(err: unknown, what: string): KafkaError {
  if (err instanceof KafkaError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `${what}: ${message}`, {
    cause: err,
    name: "UNKNOWN_SERVER_ERROR",
    retriable: false,
  });
}
