import type { Logger } from "./config/options-table.js";

const noop = () => {};

/** The default logger: says nothing. */
export const SILENT_LOGGER: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });
