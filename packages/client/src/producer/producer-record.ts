import { ErrorCode } from "@weir/protocol";
import { KafkaError } from "../errors.js";

/** Keys and values: bytes, or a string sent as its UTF-8 bytes; null or undefined send null. */
export type MessageKey = Uint8Array | string | null | undefined;
export type MessageValue = Uint8Array | string | null | undefined;
export type HeaderValue = Uint8Array | string | null;

/**
 * Record headers: an object (`{ "trace-id": "abc" }`, an array value repeats the key) or a list
 * of `{ key, value }` pairs when order or repeated keys matter.
 */
export type MessageHeaders =
  | Readonly<Record<string, HeaderValue | readonly HeaderValue[] | undefined>>
  | readonly { readonly key: string; readonly value: HeaderValue }[];

/** One record to send. */
export interface ProducerRecord {
  readonly topic: string;
  readonly key?: MessageKey;
  readonly value: MessageValue;
  readonly headers?: MessageHeaders;
  /** Sends to this partition, bypassing the partitioner. */
  readonly partition?: number;
  /** CreateTime in milliseconds (or a Date); default: now. */
  readonly timestamp?: number | Date;
}

/** Where a record was written. */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  /** The record's offset; -1 with acks=0 (the broker does not say). */
  readonly offset: number;
  /** The record's timestamp: its CreateTime, or the broker's LogAppendTime for such topics. */
  readonly timestamp: number;
}

/** A header as the batch writer takes it. */
export interface EncodedHeader {
  readonly key: string;
  readonly value: HeaderValue;
}

function invalidRecord(message: string): KafkaError {
  return new KafkaError(ErrorCode.INVALID_RECORD, message, { retriable: false });
}

function isBytes(v: unknown): v is Uint8Array | string {
  return typeof v === "string" || v instanceof Uint8Array;
}

/**
 * Checks a record from the caller and returns its timestamp, or throws KafkaError INVALID_RECORD
 * saying what is wrong.
 */
export function checkRecord(record: ProducerRecord): number {
  if (record === null || typeof record !== "object")
    throw invalidRecord(`a record must be an object, got ${record}`);
  if (typeof record.topic !== "string" || record.topic.length === 0) {
    throw invalidRecord(`a record needs a topic name, got ${JSON.stringify(record.topic)}`);
  }
  const { key, value, partition, timestamp } = record;
  if (key != null && !isBytes(key))
    throw invalidRecord(`the key must be a Buffer, Uint8Array, string or null`);
  if (value != null && !isBytes(value)) {
    throw invalidRecord(`the value must be a Buffer, Uint8Array, string or null`);
  }
  if (partition !== undefined && (!Number.isInteger(partition) || partition < 0)) {
    throw invalidRecord(`partition must be a non-negative integer, got ${partition}`);
  }
  if (timestamp === undefined) return Date.now();
  const ts = timestamp instanceof Date ? timestamp.getTime() : timestamp;
  if (!Number.isSafeInteger(ts) || ts < 0) throw invalidRecord(`invalid timestamp ${String(timestamp)}`);
  return ts;
}

/** The record's headers as a list, or null when it has none. Throws INVALID_RECORD for bad ones. */
export function encodeHeaders(headers: MessageHeaders | undefined): EncodedHeader[] | null {
  if (headers === undefined || headers === null) return null;
  const out: EncodedHeader[] = [];
  if (Array.isArray(headers)) {
    for (const h of headers as readonly EncodedHeader[]) {
      if (h === null || typeof h !== "object" || typeof h.key !== "string") {
        throw invalidRecord("each header must be { key: string, value }");
      }
      if (h.value !== null && !isBytes(h.value)) throw invalidRecord(`header ${h.key} has an invalid value`);
      out.push(h);
    }
  } else if (typeof headers === "object") {
    for (const [key, v] of Object.entries(headers)) {
      if (v === undefined) continue;
      const values = Array.isArray(v) ? (v as readonly HeaderValue[]) : [v as HeaderValue];
      for (const value of values) {
        if (value !== null && !isBytes(value)) throw invalidRecord(`header ${key} has an invalid value`);
        out.push({ key, value });
      }
    }
  } else {
    throw invalidRecord("headers must be an object or a list of { key, value }");
  }
  return out.length === 0 ? null : out;
}
