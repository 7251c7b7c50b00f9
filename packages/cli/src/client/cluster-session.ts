import {
  type Admin,
  ConfigError,
  type Consumer,
  type ConsumerOptions,
  Kafka,
  KafkaError,
  type Producer,
  type ProducerOptions,
} from "@weir/client";
import type { ConnectionSettings } from "../args/common-options.js";
import { CliError } from "../cli-error.js";
import { UNREACHABLE_HINT } from "../errors/to-cli-error.js";
import { ExitCode } from "../exit-code.js";
import { printNote } from "../output/output-format.js";
import { type SplitProperties, splitProperties } from "./client-properties.js";

const CONNECTION_SETUP_TIMEOUT = "socket.connection.setup.timeout.ms";

/**
 * One command's connection to a cluster: the Kafka entry object, an admin client that has already
 * reached a broker, and the producers and consumers the command asks for. `open` fails fast (exit code 3) when
 * no bootstrap server answers within --connect-timeout; `close` releases every connection.
 */
export class ClusterSession {
  readonly settings: ConnectionSettings;
  readonly admin: Admin;
  readonly #kafka: Kafka;
  readonly #properties: SplitProperties;

  private constructor(settings: ConnectionSettings, kafka: Kafka, properties: SplitProperties) {
    this.settings = settings;
    this.#kafka = kafka;
    this.#properties = properties;
    this.admin = kafka.admin({
      properties: properties.admin,
      ...(settings.timeoutMs !== undefined ? { defaultApiTimeoutMs: settings.timeoutMs } : {}),
    });
  }

  /** Connects, or throws a CliError: exit 3 when unreachable, 2 for bad client properties. */
  static async open(settings: ConnectionSettings): Promise<ClusterSession> {
    const properties = splitProperties(settings.properties);
    for (const key of properties.unknown) {
      printNote(`weir: warning: ignoring client property '${key}' (the Weir client does not know it)`);
    }
    let session: ClusterSession;
    try {
      const kafka = new Kafka({
        bootstrapServers: settings.bootstrapServers,
        properties: { "client.id": "weir-cli", ...properties.client },
        // A dead address should not hold a connection attempt longer than the whole connect budget.
        ...(properties.client[CONNECTION_SETUP_TIMEOUT] === undefined
          ? { connectionTimeoutMs: Math.min(10_000, settings.connectTimeoutMs) }
          : {}),
      });
      session = new ClusterSession(settings, kafka, properties);
    } catch (err) {
      if (err instanceof ConfigError) {
        throw new CliError(
          err.message,
          ExitCode.USAGE,
          "check --bootstrap-server and the client properties given with -X and --command-config",
        );
      }
      throw err;
    }
    try {
      await session.admin.connect({ timeoutMs: settings.connectTimeoutMs });
    } catch (err) {
      await session.close();
      if (
        err instanceof KafkaError &&
        (err.name === "NETWORK_EXCEPTION" || err.name === "REQUEST_TIMED_OUT")
      ) {
        throw new CliError(
          `cannot reach the cluster at ${settings.bootstrapServers} (tried for ${settings.connectTimeoutMs} ms): ${err.message.replace(/\s*\(gave up retrying[^)]*\)$/, "")}`,
          ExitCode.UNREACHABLE,
          UNREACHABLE_HINT,
        );
      }
      throw err;
    }
    return session;
  }

  /** A producer with the session's client properties, the producer properties and `options` on top. */
  producer(options: ProducerOptions = {}): Producer {
    return this.#kafka.producer({
      ...options,
      properties: { ...this.#properties.producer, ...options.properties },
    });
  }

  /** A consumer with the session's client properties, the consumer properties and `options` on top. */
  consumer(options: ConsumerOptions = {}): Consumer {
    return this.#kafka.consumer({
      ...(this.settings.timeoutMs !== undefined ? { defaultApiTimeoutMs: this.settings.timeoutMs } : {}),
      ...options,
      properties: { ...this.#properties.consumer, ...options.properties },
    });
  }

  /** Closes every client of the session (producers flush first). */
  async close(): Promise<void> {
    await this.#kafka.close();
  }
}

/** Opens a session, runs `work` with it and closes it, whatever happens. */
export async function withSession<T>(
  settings: ConnectionSettings,
  work: (session: ClusterSession) => Promise<T>,
): Promise<T> {
  const session = await ClusterSession.open(settings);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}
