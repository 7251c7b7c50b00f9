/** Kafka's BrokerTopicMetrics meters for one topic (or all topics), as plain counters. */
export class TopicStats {
  /** Records appended by produce. */
  messagesIn = 0;
  /** Record batch bytes appended by produce. */
  bytesIn = 0;
  /** Record batch bytes returned by fetch. */
  bytesOut = 0;
  /** Partitions named in produce requests. */
  totalProduceRequests = 0;
  /** Partitions of produce requests answered with an error. */
  failedProduceRequests = 0;
  /** Partitions read by fetch requests. */
  totalFetchRequests = 0;
  /** Partitions of fetch requests answered with an error. */
  failedFetchRequests = 0;
}

/**
 * The broker's per-topic traffic, counted by the produce and fetch handlers once per partition
 * per request: a Map lookup and a few additions, nothing allocated after a topic's first use.
 * Topics get their own series only once a request reached one of their hosted partitions, so
 * requests naming unknown topics move the all-topics totals but cannot create series.
 */
export class BrokerTopicMetrics {
  /** Every topic together (Kafka's BrokerTopicMetrics without a topic tag). */
  readonly allTopics = new TopicStats();
  readonly #topics = new Map<string, TopicStats>();

  /** The stats of `topic`, created on first use. */
  topic(name: string): TopicStats {
    let stats = this.#topics.get(name);
    if (stats === undefined) {
      stats = new TopicStats();
      this.#topics.set(name, stats);
    }
    return stats;
  }

  /** One partition append of `records` records in `bytes` bytes to hosted `topic`. */
  produced(topic: string, records: number, bytes: number): void {
    const t = this.topic(topic);
    const all = this.allTopics;
    t.totalProduceRequests++;
    all.totalProduceRequests++;
    t.messagesIn += records;
    all.messagesIn += records;
    t.bytesIn += bytes;
    all.bytesIn += bytes;
  }

  /** One partition of a produce request answered with an error; `topic` if the broker hosts it. */
  produceFailed(topic: string | undefined): void {
    if (topic !== undefined) {
      const t = this.topic(topic);
      t.totalProduceRequests++;
      t.failedProduceRequests++;
    }
    this.allTopics.totalProduceRequests++;
    this.allTopics.failedProduceRequests++;
  }

  /** One partition read by a fetch, returning `bytes` bytes of hosted `topic`. */
  fetched(topic: string, bytes: number): void {
    const t = this.topic(topic);
    const all = this.allTopics;
    t.totalFetchRequests++;
    all.totalFetchRequests++;
    t.bytesOut += bytes;
    all.bytesOut += bytes;
  }

  /** One partition of a fetch answered with an error; `topic` if the broker hosts it. */
  fetchFailed(topic: string | undefined): void {
    if (topic !== undefined) {
      const t = this.topic(topic);
      t.totalFetchRequests++;
      t.failedFetchRequests++;
    }
    this.allTopics.totalFetchRequests++;
    this.allTopics.failedFetchRequests++;
  }

  /** Per-topic stats, by topic name. */
  topics(): IterableIterator<[string, TopicStats]> {
    return this.#topics.entries();
  }

  /** Drops a deleted topic's stats, as Kafka removes a deleted topic's metrics. */
  forget(topic: string): void {
    this.#topics.delete(topic);
  }
}
