import type { ApiKeyValue, ApiMessages } from "@weir/protocol";
import type { ConnectionInfo } from "../network/connection.js";
import type { BrokerContext } from "../server/broker-context.js";

export type ApiKeyNumber = ApiKeyValue;

/** The decoded request header, as every handler sees it. */
export interface RequestHeaderInfo {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
}

export interface RequestContext {
  readonly header: RequestHeaderInfo;
  readonly connection: ConnectionInfo;
  readonly broker: BrokerContext;
  /** Runs `done` once the response's bytes are written (or at once when none is sent). */
  readonly afterResponse: (done: () => void) => void;
}

/**
 * One Kafka API served by the broker: the versions it implements and the function answering a
 * decoded request. Returning null sends no response (produce with acks=0). Handlers answer every
 * expected failure with Kafka error codes; a thrown error closes the connection.
 */
export interface ApiHandler<K extends ApiKeyNumber = ApiKeyNumber> {
  readonly apiKey: K;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(
    ctx: RequestContext,
    request: ApiMessages[K]["request"],
  ): Promise<ApiMessages[K]["response"] | null> | ApiMessages[K]["response"] | null;
}

/** Declares a handler with its api key's request and response types checked. */
export function defineHandler<K extends ApiKeyNumber>(handler: ApiHandler<K>): ApiHandler<K> {
  return handler;
}
