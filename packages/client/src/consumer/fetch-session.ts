import { ErrorCode } from "@weir/protocol";

/** What a fetch asks of one partition. */
export interface FetchPartition {
  readonly key: string;
  readonly topic: string;
  readonly topicId: string;
  readonly partition: number;
  readonly fetchOffset: number;
  readonly maxBytes: number;
  readonly leaderEpoch: number;
}

/** The session fields and partitions of the next Fetch request to one broker. */
export interface FetchRequestPlan {
  readonly sessionId: number;
  readonly epoch: number;
  /** Full (every wanted partition listed) or incremental (only changes). */
  readonly full: boolean;
  readonly toSend: readonly FetchPartition[];
  readonly toForget: readonly FetchPartition[];
  /** What the broker's session holds once this request succeeds. */
  readonly next: ReadonlyMap<string, FetchPartition>;
  readonly usesTopicIds: boolean;
}

const INITIAL_EPOCH = 0;
const FINAL_EPOCH = -1;
const SESSIONLESS_ID = 0;

/**
 * The client side of a fetch session with one broker (KIP-227). The first fetch lists every
 * partition and asks for a session (epoch 0); later fetches list only partitions that were added
 * or whose fetch offset, size limit or leader epoch changed, and name the ones to drop, while the
 * broker keeps fetching the rest. Any failure falls back to a full fetch that replaces the old
 * session. Fetch v0–v6 have no sessions: every fetch is full.
 */
export class FetchSession {
  #sessionId = SESSIONLESS_ID;
  #epoch = INITIAL_EPOCH;
  #partitions = new Map<string, FetchPartition>();
  #usesTopicIds = false;

  get sessionId(): number {
    return this.#sessionId;
  }

  /** The partitions the broker's session holds (those not listed in an incremental fetch still get fetched). */
  get partitions(): ReadonlyMap<string, FetchPartition> {
    return this.#partitions;
  }

  plan(
    wanted: readonly FetchPartition[],
    supportsSessions: boolean,
    usesTopicIds: boolean,
  ): FetchRequestPlan {
    const next = new Map(wanted.map((p) => [p.key, p]));
    if (!supportsSessions) {
      return {
        sessionId: SESSIONLESS_ID,
        epoch: FINAL_EPOCH,
        full: true,
        toSend: wanted,
        toForget: [],
        next,
        usesTopicIds,
      };
    }
    if (usesTopicIds !== this.#usesTopicIds && this.#epoch !== INITIAL_EPOCH) this.#epoch = INITIAL_EPOCH;
    if (this.#epoch === INITIAL_EPOCH) {
      return {
        sessionId: this.#sessionId,
        epoch: INITIAL_EPOCH,
        full: true,
        toSend: wanted,
        toForget: [],
        next,
        usesTopicIds,
      };
    }
    const toSend: FetchPartition[] = [];
    for (const p of wanted) {
      const old = this.#partitions.get(p.key);
      if (
        old === undefined ||
        old.fetchOffset !== p.fetchOffset ||
        old.maxBytes !== p.maxBytes ||
        old.leaderEpoch !== p.leaderEpoch ||
        old.topicId !== p.topicId
      ) {
        toSend.push(p);
      }
    }
    const toForget: FetchPartition[] = [];
    for (const [key, p] of this.#partitions) if (!next.has(key)) toForget.push(p);
    return {
      sessionId: this.#sessionId,
      epoch: this.#epoch,
      full: false,
      toSend,
      toForget,
      next,
      usesTopicIds,
    };
  }

  /**
   * Takes in a response's session id and error code. Returns false when the session failed and the
   * response carries no partition data (the next fetch is full).
   */
  onResponse(plan: FetchRequestPlan, errorCode: number, sessionId: number): boolean {
    if (plan.epoch === FINAL_EPOCH) return errorCode === ErrorCode.NONE;
    if (errorCode !== ErrorCode.NONE) {
      if (
        errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND ||
        errorCode === ErrorCode.INVALID_FETCH_SESSION_EPOCH
      ) {
        this.#sessionId = SESSIONLESS_ID;
      }
      this.#closeExisting();
      return false;
    }
    this.#usesTopicIds = plan.usesTopicIds;
    this.#partitions = new Map(plan.next);
    if (plan.full) {
      this.#sessionId = sessionId;
      this.#epoch = sessionId === SESSIONLESS_ID ? INITIAL_EPOCH : 1;
    } else {
      this.#epoch = this.#epoch >= 0x7fffffff ? 1 : this.#epoch + 1;
    }
    return true;
  }

  /** After a failed request the broker's state is unknown: the next fetch replaces the session. */
  onError(): void {
    this.#closeExisting();
  }

  #closeExisting(): void {
    this.#epoch = INITIAL_EPOCH;
    this.#partitions = new Map();
  }

  /** A request body for closing the session (epoch -1, nothing to fetch), or null without a session. */
  closePlan(): { sessionId: number; epoch: number } | null {
    if (this.#sessionId === SESSIONLESS_ID) return null;
    return { sessionId: this.#sessionId, epoch: FINAL_EPOCH };
  }
}
