import type { ApiKeyValue, RequestBody } from "@weir/protocol";
import { type Cluster, CoordinatorType, type SendResult, type VersionRange } from "../../cluster/cluster.js";
import { NetworkError } from "../../errors.js";
import type { RequestOptions } from "../../network/connection.js";

/**
 * The way to a group's coordinator: found with FindCoordinator (cached by the cluster), forgotten
 * after a NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE answer or a broken connection, found again
 * by the next request.
 */
export class CoordinatorLink {
  readonly #cluster: Cluster;
  readonly groupId: string;
  #nodeId: number | undefined;

  constructor(cluster: Cluster, groupId: string) {
    this.#cluster = cluster;
    this.groupId = groupId;
  }

  /** The coordinator's node id when known. */
  get nodeId(): number | undefined {
    return this.#nodeId;
  }

  async node(deadline: number): Promise<number> {
    if (this.#nodeId !== undefined) return this.#nodeId;
    const nodeId = await this.#cluster.findCoordinator(CoordinatorType.Group, this.groupId, deadline);
    this.#nodeId = nodeId;
    return nodeId;
  }

  invalidate(): void {
    if (this.#nodeId === undefined) return;
    this.#nodeId = undefined;
    this.#cluster.invalidateCoordinator(CoordinatorType.Group, this.groupId);
  }

  /** Sends to the coordinator; a network failure forgets it (the next call looks it up again). */
  async send<K extends ApiKeyValue>(
    apiKey: K,
    build: (version: number) => RequestBody<K>,
    deadline: number,
    range: VersionRange = {},
    options: RequestOptions = {},
  ): Promise<SendResult<K>> {
    const nodeId = await this.node(deadline);
    try {
      return await this.#cluster.send(nodeId, apiKey, build, range, options);
    } catch (err) {
      if (err instanceof NetworkError) this.invalidate();
      throw err;
    }
  }
}
