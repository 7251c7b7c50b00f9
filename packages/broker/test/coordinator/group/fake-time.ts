import type { Cancel, Clock, Scheduler } from "../../../src/coordinator/group/scheduler.js";

/** A clock that moves only when told to. */
export class FakeClock implements Clock {
  constructor(public time = 1_700_000_000_000) {}
  now(): number {
    return this.time;
  }
}

interface Task {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

/** A scheduler on a FakeClock: tasks run, in time order, when `advance` passes their time. */
export class FakeScheduler implements Scheduler {
  #tasks: Task[] = [];
  #seq = 0;

  constructor(readonly clock: FakeClock) {}

  schedule(delayMs: number, run: () => void): Cancel {
    const task: Task = {
      at: this.clock.time + Math.max(0, delayMs),
      seq: this.#seq++,
      run,
      cancelled: false,
    };
    this.#tasks.push(task);
    return () => {
      task.cancelled = true;
    };
  }

  get pending(): number {
    return this.#tasks.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, running every task that falls due on the way. */
  advance(ms: number): void {
    const target = this.clock.time + ms;
    for (;;) {
      this.#tasks = this.#tasks.filter((t) => !t.cancelled);
      let next: Task | undefined;
      for (const t of this.#tasks) {
        if (
          t.at <= target &&
          (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq))
        ) {
          next = t;
        }
      }
      if (next === undefined) break;
      this.#tasks.splice(this.#tasks.indexOf(next), 1);
      this.clock.time = Math.max(this.clock.time, next.at);
      next.run();
    }
    this.clock.time = target;
  }
}
