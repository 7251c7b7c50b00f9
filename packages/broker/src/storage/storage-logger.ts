/** The structured logger the storage layer writes to; a pino logger fits. */
export interface StorageLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const silentStorageLogger: StorageLogger = {
  info() {},
  warn() {},
  error() {},
};
