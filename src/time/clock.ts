/**
 * Time as the cell database sees it.  Everything that waits (GC delay, DNS
 * expiry, retries) asks a Clock, so tests can substitute a fake one and run a
 * day of lifecycle in microseconds.  Times are milliseconds on a monotonic
 * scale; only differences between them mean anything.
 */
export interface Clock {
  now(): number;
  /** Calls `fn` once, at or after time `at`.  The handle cancels it. */
  setTimer(at: number, fn: () => void): TimerHandle;
}

export interface TimerHandle {
  cancel(): void;
}

/** Node's setTimeout cannot wait longer than this (about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * The real clock: performance.now() (monotonic, so a wall-clock step cannot
 * expire every cell at once) and unref'd timers (a pending GC must not keep a
 * one-shot `afs-cellfs lookup` alive).
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(at, fn) {
    let handle: NodeJS.Timeout;
    const arm = (): void => {
      const delay = at - performance.now();
      if (delay > MAX_TIMEOUT_MS) {
        handle = setTimeout(arm, MAX_TIMEOUT_MS);
      } else {
        handle = setTimeout(fn, Math.max(0, delay));
      }
      handle.unref();
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  },
};
