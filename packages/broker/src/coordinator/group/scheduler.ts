/**
 * The time ports of the group coordinator. The coordinator never reads the system clock or calls
 * setTimeout itself: the broker passes real implementations, tests and the simulator pass fake
 * ones, so every rebalance is reproducible.
 */

/** Wall-clock time in milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

/** Cancels a scheduled task; calling it after the task ran, or twice, does nothing. */
export type Cancel = () => void;

/** Runs `task` once after `delayMs` milliseconds of the clock's time. */
export interface Scheduler {
  schedule(delayMs: number, task: () => void): Cancel;
}

export const systemClock: Clock = { now: () => Date.now() };

/** setTimeout's longest delay; longer delays are re-armed in steps. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/** A Scheduler over Node timers. Timers are unref'd: they never keep the process alive. */
export const systemScheduler: Scheduler = {
  schedule(delayMs: number, task: () => void): Cancel {
    let timer: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = (remaining: number): void => {
      const step = Math.min(Math.max(0, remaining), MAX_TIMEOUT_MS);
      timer = setTimeout(() => {
        if (cancelled) return;
        if (remaining > step) arm(remaining - step);
        else task();
      }, step);
      timer.unref();
    };
    arm(delayMs);
    return () => {
      cancelled = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  },
};
