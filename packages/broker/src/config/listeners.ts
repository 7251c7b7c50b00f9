/**
 * `listeners` / `advertised.listeners` entries (`NAME://host:port`) and the
 * `listener.security.protocol.map` that gives each listener name its security protocol.
 */

export type SecurityProtocol = "PLAINTEXT" | "SSL" | "SASL_PLAINTEXT" | "SASL_SSL";

const SECURITY_PROTOCOLS: readonly string[] = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"];

/** One listener: the address a socket binds or the address advertised to clients. */
export interface Endpoint {
  /** Listener name, upper case (PLAINTEXT, INTERNAL, CONTROLLER, …). */
  readonly name: string;
  /** Host name or IP; "" binds every interface. IPv6 addresses are given without brackets. */
  readonly host: string;
  readonly port: number;
  readonly securityProtocol: SecurityProtocol;
}

export type ListenerParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

const LISTENER_PATTERN = /^([^:/]+):\/\/\[?([0-9a-zA-Z\-%._:]*?)\]?:(-?\d+)$/;

/** Parses `NAME:PROTOCOL,…`. Names are case-insensitive and kept upper case. */
export function parseSecurityProtocolMap(
  entries: readonly string[],
): ListenerParseResult<Map<string, SecurityProtocol>> {
  const map = new Map<string, SecurityProtocol>();
  for (const entry of entries) {
    const at = entry.indexOf(":");
    if (at <= 0) return { ok: false, message: `invalid listener.security.protocol.map entry '${entry}'` };
    const name = entry.slice(0, at).trim().toUpperCase();
    const protocol = entry
      .slice(at + 1)
      .trim()
      .toUpperCase();
    if (!SECURITY_PROTOCOLS.includes(protocol)) {
      return { ok: false, message: `unknown security protocol '${protocol}' for listener ${name}` };
    }
    map.set(name, protocol as SecurityProtocol);
  }
  return { ok: true, value: map };
}

/**
 * Parses listener entries. Names must be unique and mapped to a security protocol; ports must be
 * 0..65535. (Port 0 asks the OS for a free port; tests use it.)
 */
export function parseListeners(
  configName: string,
  entries: readonly string[],
  protocols: ReadonlyMap<string, SecurityProtocol>,
): ListenerParseResult<Endpoint[]> {
  const endpoints: Endpoint[] = [];
  const names = new Set<string>();
  for (const entry of entries) {
    const m = LISTENER_PATTERN.exec(entry.trim());
    if (m === null) {
      return {
        ok: false,
        message: `Invalid value ${entry} for configuration ${configName}: expected NAME://host:port`,
      };
    }
    const name = m[1]!.toUpperCase();
    const host = m[2]!;
    const port = Number(m[3]);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      return {
        ok: false,
        message: `Invalid value ${entry} for configuration ${configName}: port out of range`,
      };
    }
    const securityProtocol = protocols.get(name);
    if (securityProtocol === undefined) {
      return {
        ok: false,
        message: `No security protocol defined for listener ${name} in ${configName}; add it to listener.security.protocol.map`,
      };
    }
    if (names.has(name)) {
      return {
        ok: false,
        message: `Each listener must have a different name in ${configName}: ${name} repeats`,
      };
    }
    names.add(name);
    endpoints.push(Object.freeze({ name, host, port, securityProtocol }));
  }
  return { ok: true, value: endpoints };
}

/** One `controller.quorum.voters` entry: `id@host:port`. */
export interface QuorumVoter {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

export function parseQuorumVoters(entries: readonly string[]): ListenerParseResult<QuorumVoter[]> {
  const voters: QuorumVoter[] = [];
  for (const entry of entries) {
    const m = /^(\d+)@\[?([0-9a-zA-Z\-%._:]+?)\]?:(\d+)$/.exec(entry.trim());
    if (m === null || Number(m[3]) > 65535) {
      return {
        ok: false,
        message: `Invalid value ${entry} for configuration controller.quorum.voters: expected id@host:port`,
      };
    }
    voters.push(Object.freeze({ nodeId: Number(m[1]), host: m[2]!, port: Number(m[3]) }));
  }
  return { ok: true, value: voters };
}
