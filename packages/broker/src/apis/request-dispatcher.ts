import {
  ApiKey,
  type ApiKeyValue,
  apiSpec,
  decodeRequestBody,
  decodeRequestHeader,
  ErrorCode,
  encodeResponseBody,
  encodeResponseHeader,
  isApiKey,
  ProtocolError,
  Reader,
  requestHeaderVersion,
  responseHeaderVersion,
  Writer,
} from "@weir/protocol";
import type { Logger } from "pino";
import type { RequestMetrics } from "../metrics/request-metrics.js";
import type { ConnectionInfo, ResponseFrame } from "../network/connection.js";
import type { BrokerContext } from "../server/broker-context.js";
import type { ApiHandler, RequestContext, RequestHeaderInfo } from "./api-handler.js";
import { apiVersionsList } from "./api-versions.js";

/**
 * Decodes a request frame, routes it to its API handler and encodes the response. Requests for
 * APIs or versions the broker does not implement get UNSUPPORTED_VERSION where the protocol has a
 * way to say so (ApiVersions, per KIP-511); anything else undecodable closes the connection, as
 * Kafka does. Counts bytes in and out, and each served request with its time, in the metrics.
 */
export class RequestDispatcher {
  readonly #handlers = new Map<ApiKeyValue, ApiHandler>();

  constructor(
    handlers: readonly ApiHandler[],
    readonly broker: BrokerContext,
    readonly logger: Logger,
  ) {
    for (const h of handlers) this.#handlers.set(h.apiKey, h);
  }

  get handlers(): readonly ApiHandler[] {
    return [...this.#handlers.values()];
  }

  readonly handleFrame = async (frame: Buffer, connection: ConnectionInfo): Promise<ResponseFrame | null> => {
    const requestMetrics = this.broker.metrics.requests;
    requestMetrics.incomingBytes += 4 + frame.length;
    if (frame.length < 8) throw new ProtocolError(`request frame of ${frame.length} bytes is too short`);
    const rawApiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    if (!isApiKey(rawApiKey)) throw new ProtocolError(`unknown api key ${rawApiKey}`, "UNSUPPORTED_VERSION");
    const apiKey = rawApiKey;
    const spec = apiSpec(apiKey)!;
    const handler = this.#handlers.get(apiKey);
    const supported =
      handler !== undefined && apiVersion >= handler.minVersion && apiVersion <= handler.maxVersion;

    if (!supported && apiKey === ApiKey.ApiVersions) {
      // KIP-511: answer with version 0 and the versions we do support, so the client can retry.
      const correlationId = frame.readInt32BE(4);
      const w = new Writer();
      encodeResponseHeader(w, 0, { correlationId });
      encodeResponseBody(ApiKey.ApiVersions, 0, w, {
        errorCode: ErrorCode.UNSUPPORTED_VERSION,
        apiKeys: apiVersionsList(this.handlers),
        throttleTimeMs: 0,
      });
      return { chunks: sent(requestMetrics, w.toChunks()) };
    }
    if (!supported) {
      throw new ProtocolError(`${spec.name} v${apiVersion} is not supported`, "UNSUPPORTED_VERSION");
    }

    const started = performance.now();
    let afterResponse: (() => void)[] | undefined;
    let handedOver = false;
    try {
      const reader = new Reader(frame);
      const decodedHeader = decodeRequestHeader(reader, requestHeaderVersion(apiKey, apiVersion));
      const body = decodeRequestBody(apiKey, apiVersion, reader);
      const header: RequestHeaderInfo = {
        apiKey,
        apiVersion,
        correlationId: decodedHeader.correlationId,
        clientId: decodedHeader.clientId ?? null,
      };
      const ctx: RequestContext = {
        header,
        connection,
        broker: this.broker,
        afterResponse: (done) => {
          afterResponse ??= [];
          afterResponse.push(done);
        },
      };
      const response = await handler.handle(ctx, body as never);
      if (response === null) return null;
      const w = new Writer();
      encodeResponseHeader(w, responseHeaderVersion(apiKey, apiVersion), {
        correlationId: header.correlationId,
      });
      encodeResponseBody(apiKey, apiVersion, w, response as never);
      const chunks = sent(requestMetrics, w.toChunks());
      if (afterResponse === undefined) return { chunks };
      const callbacks = afterResponse;
      handedOver = true;
      return { chunks, onWritten: () => runAll(callbacks) };
    } finally {
      if (!handedOver && afterResponse !== undefined) runAll(afterResponse);
      requestMetrics.record(apiKey, apiVersion, performance.now() - started);
    }
  };
}

function runAll(callbacks: readonly (() => void)[]): void {
  for (const done of callbacks) done();
}

/** Counts a response's bytes (with its size prefix) as sent. */
function sent(requestMetrics: RequestMetrics, chunks: Buffer[]): Buffer[] {
  let size = 4;
  for (let i = 0; i < chunks.length; i++) size += chunks[i]!.length;
  requestMetrics.outgoingBytes += size;
  return chunks;
}
