import type { MetadataChanges } from "./metadata-delta.js";
import type { MetadataImage } from "./metadata-image.js";

/**
 * Something that reacts to new metadata: the log manager creates and deletes partition logs,
 * the coordinators load their partitions, the metadata cache of request handlers swaps images.
 * Called synchronously, in subscription order, after each committed batch (the records are
 * durable and the image is current). A publisher that needs I/O starts it and returns; an
 * exception it throws is reported and does not affect other publishers or the controller.
 */
export interface MetadataPublisher {
  /** For log lines about this publisher. */
  readonly name: string;
  onImage(image: MetadataImage, changes: MetadataChanges): void;
}
