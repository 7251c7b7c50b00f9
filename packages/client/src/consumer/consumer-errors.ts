import { KafkaError } from "../errors.js";

/**
 * A consumer method was called when it cannot work (Java's IllegalStateException): poll without
 * a subscription or assignment, seek on a partition that is not assigned, subscribe after assign …
 * `name` is ILLEGAL_STATE and `code` null: there is no Kafka error code for it.
 */
export class IllegalStateError extends KafkaError {
  constructor(message: string) {
    super(null, message, { name: "ILLEGAL_STATE", retriable: false });
  }
}

/** A consumer method got an argument it cannot use (a negative offset, a malformed partition …). */
export class IllegalArgumentError extends KafkaError {
  constructor(message: string) {
    super(null, message, { name: "ILLEGAL_ARGUMENT", retriable: false });
  }
}
