import type { Clock, TimerHandle } from './clock.js';

/**
 * The namespace timer (the seed's `cells_timer` driven by `timer_reduce()`):
 * one timer for the whole database, only ever moved earlier while armed.  A
 * request for a later time than the armed one is ignored; when the timer
 * fires, its owner looks at what is really due and re-arms for the next
 * event.
 */
export class ReducingTimer {
  readonly #clock: Clock;
  readonly #onFire: () => void;
  #handle: TimerHandle | null = null;
  #armedAt: number | null = null;

  constructor(clock: Clock, onFire: () => void) {
    this.#clock = clock;
    this.#onFire = onFire;
  }

  /** The time the timer will fire at, or null when it is not armed. */
  get armedAt(): number | null {
    return this.#armedAt;
  }

  /** Arms the timer for `at` unless it is already armed for an earlier time. */
  reduce(at: number): void {
    if (this.#armedAt !== null && this.#armedAt <= at) return;
    this.#handle?.cancel();
    this.#armedAt = at;
    this.#handle = this.#clock.setTimer(at, () => {
      this.#handle = null;
      this.#armedAt = null;
      this.#onFire();
    });
  }

  /** Disarms the timer (purge: nothing may fire after the count-out). */
  cancel(): void {
    this.#handle?.cancel();
    this.#handle = null;
    this.#armedAt = null;
  }
}
