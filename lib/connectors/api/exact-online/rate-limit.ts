import { setTimeout as sleepFor } from "node:timers/promises";
import { ConnectorError } from "../../errors";
import { ERROR_BLOCK, RESET_MARGIN_MS } from "./assumptions";

/**
 * Exact Online's limits, kept per process and per key (base URL + client id + division: Exact
 * counts per app and division), so concurrent jobs never overshoot them:
 * - the minutely budget (X-RateLimit-Minutely-Limit/-Remaining/-Reset, reset in epoch ms): every
 *   call RESERVES one unit before it is sent; when the budget is spent the call waits for the
 *   reset (bounded by the caller's signal and `maxWaitMs`, beyond which it throws a retryable
 *   rate_limited with the wait as retryAfterMs). A key whose budget is unknown (first call, or a
 *   new minute before any answer) sends one call at a time until the headers tell;
 * - the daily budget (X-RateLimit-Limit/-Remaining/-Reset): spent → retryable quota_exceeded
 *   with retryAfterMs until the daily reset, never a wait;
 * - the error breaker: Exact blocks a key for an hour after more than 10 answers 400/401/403/404
 *   per endpoint within an hour, so at ERROR_BLOCK.stopAt such answers per (key, endpoint) in the
 *   last hour calls to that endpoint stop with a retryable blocked_after_errors until the oldest
 *   error is an hour old.
 * Headers are read from every answer, 429s included; an answer that is older than what we know
 * (its reset lies before the minute we already moved to) is ignored.
 * Limits and headers: reference §3.4 (sources S22 S23 S24 there); the figures are in assumptions.ts.
 */

export type RateLimitClock = {
  now(): number;
  /** Resolves after `ms`, rejects when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
};

const SYSTEM_CLOCK: RateLimitClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepFor(ms, undefined, { signal }),
};

/** Reads one header; `Headers` and plain records both fit. */
export type HeaderSource = { get(name: string): string | null };

/** One reserved call: settle it with the answer, or release it when no answer came. */
export type RateLimitPermit = {
  settle(status: number, headers: HeaderSource): void;
  release(): void;
};

type KeyState = {
  minutelyLimit: number | null;
  /** What we may still send this minute, our reservations deducted; null = unknown. */
  minutelyRemaining: number | null;
  /** When the minute we know of ends (epoch ms); null = a new minute whose end no answer told yet. */
  minutelyReset: number | null;
  /** The end of the last minute we moved past: answers about it or earlier are stale. */
  passedReset: number;
  dailyRemaining: number | null;
  dailyReset: number | null;
  inFlight: number;
  waiters: Set<() => void>;
};

export type ExactRateLimiterOptions = {
  clock?: RateLimitClock;
  /** Longest wait for a new minute inside one call; longer → rate_limited with retryAfterMs. */
  maxWaitMs?: number;
  /** How long past Exact's reset a new minute starts for us (clock differences). */
  resetMarginMs?: number;
  errorStopAt?: number;
  errorWindowMs?: number;
};

function headerNumber(headers: HeaderSource, name: string): number | null {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === "") return null;
  const value = Number(raw);
  return Number.isFinite(value) ? value : null;
}

export class ExactRateLimiter {
  private readonly clock: RateLimitClock;
  private readonly maxWaitMs: number;
  private readonly resetMarginMs: number;
  private readonly errorStopAt: number;
  private readonly errorWindowMs: number;
  private readonly states = new Map<string, KeyState>();
  /** Error answers per key and endpoint (epoch ms), oldest first. */
  private readonly errors = new Map<string, number[]>();

  constructor(options: ExactRateLimiterOptions = {}) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.maxWaitMs = options.maxWaitMs ?? 65_000;
    this.resetMarginMs = options.resetMarginMs ?? RESET_MARGIN_MS;
    this.errorStopAt = options.errorStopAt ?? ERROR_BLOCK.value.stopAt;
    this.errorWindowMs = options.errorWindowMs ?? ERROR_BLOCK.value.windowMs;
  }

  /**
   * Reserves one call for `key` to `endpoint` (e.g. "documents/Documents"), waiting for a new
   * minute when needed. Throws ConnectorError (retryable) when the call may not go now.
   */
  async acquire(key: string, endpoint: string, signal: AbortSignal): Promise<RateLimitPermit> {
    for (;;) {
      const now = this.clock.now();
      this.assertNotBlocked(key, endpoint, now);
      const state = this.stateOf(key);

      if (state.dailyRemaining !== null && state.dailyRemaining <= 0 && state.dailyReset !== null) {
        if (now < state.dailyReset) {
          throw new ConnectorError("retryable", "quota_exceeded", {
            retryAfterMs: state.dailyReset - now,
            vendorDetail: "daily call budget spent",
          });
        }
        state.dailyRemaining = null;
        state.dailyReset = null;
      }

      if (state.minutelyReset !== null && now >= state.minutelyReset + this.resetMarginMs) {
        state.passedReset = state.minutelyReset;
        state.minutelyReset = null;
        state.minutelyRemaining = state.minutelyLimit;
      }

      const isBudgetUnknown =
        state.minutelyRemaining === null || (state.minutelyRemaining <= 0 && state.minutelyReset === null);
      if (isBudgetUnknown && state.inFlight === 0) return this.take(key, endpoint, state, false);
      if (!isBudgetUnknown && (state.minutelyRemaining ?? 0) > 0) return this.take(key, endpoint, state, true);

      // Spent with a known reset: wait for it. Unknown: wait for the answer in flight.
      const waitMs =
        !isBudgetUnknown && state.minutelyReset !== null
          ? state.minutelyReset + this.resetMarginMs - now
          : this.maxWaitMs;
      if (waitMs > this.maxWaitMs) {
        throw new ConnectorError("retryable", "rate_limited", {
          retryAfterMs: waitMs,
          vendorDetail: "minutely call budget spent",
        });
      }
      await this.waitForChange(state, waitMs, signal);
    }
  }

  /** Forgets everything (tests). */
  reset(): void {
    this.states.clear();
    this.errors.clear();
  }

  /** What the limiter believes about a key now (tests, diagnostics). */
  describe(key: string): { minutelyRemaining: number | null; minutelyReset: number | null; inFlight: number } {
    const state = this.stateOf(key);
    return { minutelyRemaining: state.minutelyRemaining, minutelyReset: state.minutelyReset, inFlight: state.inFlight };
  }

  private stateOf(key: string): KeyState {
    let state = this.states.get(key);
    if (!state) {
      state = {
        minutelyLimit: null,
        minutelyRemaining: null,
        minutelyReset: null,
        passedReset: 0,
        dailyRemaining: null,
        dailyReset: null,
        inFlight: 0,
        waiters: new Set(),
      };
      this.states.set(key, state);
    }
    return state;
  }

  private take(key: string, endpoint: string, state: KeyState, isCounted: boolean): RateLimitPermit {
    if (isCounted && state.minutelyRemaining !== null) state.minutelyRemaining--;
    if (state.dailyRemaining !== null) state.dailyRemaining--;
    state.inFlight++;
    let isDone = false;
    const finish = () => {
      if (isDone) return false;
      isDone = true;
      state.inFlight--;
      return true;
    };
    return {
      settle: (status, headers) => {
        if (!finish()) return;
        this.learn(state, status, headers);
        if ((ERROR_BLOCK.value.statuses as readonly number[]).includes(status)) {
          this.recordError(key, endpoint);
        }
        this.wake(state);
      },
      // No answer: the call may or may not have been counted, so its unit stays spent.
      release: () => {
        if (finish()) this.wake(state);
      },
    };
  }

  private learn(state: KeyState, status: number, headers: HeaderSource): void {
    const limit = headerNumber(headers, "x-ratelimit-minutely-limit");
    const remaining = headerNumber(headers, "x-ratelimit-minutely-remaining");
    const reset = headerNumber(headers, "x-ratelimit-minutely-reset");
    if (limit !== null && limit > 0) state.minutelyLimit = limit;
    if (remaining !== null && reset !== null && reset > state.passedReset) {
      // Calls still in flight may be counted after this answer: assume they will be.
      const left = Math.max(0, remaining - state.inFlight);
      const isLaterMinute = state.minutelyReset !== null && reset > state.minutelyReset;
      if (isLaterMinute || state.minutelyReset === null || reset === state.minutelyReset) {
        state.minutelyRemaining = isLaterMinute ? left : Math.min(state.minutelyRemaining ?? left, left);
        state.minutelyReset = reset;
      }
    } else if (status === 429 && reset === null) {
      // A 429 without headers: nothing left this minute, and we do not know when it ends.
      state.minutelyRemaining = 0;
    }

    const dailyRemaining = headerNumber(headers, "x-ratelimit-remaining");
    const dailyReset = headerNumber(headers, "x-ratelimit-reset");
    if (
      dailyRemaining !== null &&
      dailyReset !== null &&
      (state.dailyReset === null || dailyReset >= state.dailyReset)
    ) {
      const left = Math.max(0, dailyRemaining - state.inFlight);
      state.dailyRemaining = state.dailyReset === dailyReset ? Math.min(state.dailyRemaining ?? left, left) : left;
      state.dailyReset = dailyReset;
    }
  }

  private errorKey(key: string, endpoint: string): string {
    return `${key}\u0000${endpoint}`;
  }

  private recentErrors(key: string, endpoint: string, now: number): number[] {
    const errorKey = this.errorKey(key, endpoint);
    const recent = (this.errors.get(errorKey) ?? []).filter((at) => at > now - this.errorWindowMs);
    if (recent.length > 0) this.errors.set(errorKey, recent);
    else this.errors.delete(errorKey);
    return recent;
  }

  private recordError(key: string, endpoint: string): void {
    const now = this.clock.now();
    this.errors.set(this.errorKey(key, endpoint), [...this.recentErrors(key, endpoint, now), now]);
  }

  private assertNotBlocked(key: string, endpoint: string, now: number): void {
    const recent = this.recentErrors(key, endpoint, now);
    if (recent.length < this.errorStopAt) return;
    const oldest = recent[recent.length - this.errorStopAt] as number;
    throw new ConnectorError("retryable", "blocked_after_errors", {
      retryAfterMs: Math.max(1, oldest + this.errorWindowMs - now),
      vendorDetail: `${recent.length} error answers from ${endpoint} within the hour`,
    });
  }

  /** Resolves after `ms` or at the next answer for this key, whichever comes first. */
  private async waitForChange(state: KeyState, ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw this.abortedWait(ms);
    const timer = new AbortController();
    const stopTimer = () => timer.abort();
    signal.addEventListener("abort", stopTimer, { once: true });
    let wake: () => void = () => {};
    try {
      await new Promise<void>((resolve, reject) => {
        wake = resolve;
        state.waiters.add(wake);
        this.clock.sleep(Math.max(0, ms), timer.signal).then(resolve, () => {
          if (signal.aborted) reject(this.abortedWait(ms));
          else resolve();
        });
      });
    } finally {
      state.waiters.delete(wake);
      signal.removeEventListener("abort", stopTimer);
      timer.abort();
    }
  }

  private abortedWait(ms: number): ConnectorError {
    return new ConnectorError("retryable", "rate_limited", {
      retryAfterMs: Math.max(1, ms),
      vendorDetail: "gave up waiting for a new minute",
    });
  }

  private wake(state: KeyState): void {
    for (const resolve of [...state.waiters]) resolve();
  }
}

declare global {
  // One limiter per process, also when Next.js loads this module more than once.
  var __koppelExactRateLimiter: ExactRateLimiter | undefined;
}

/** The process-wide limiter every Exact call goes through. */
export function exactRateLimiter(): ExactRateLimiter {
  globalThis.__koppelExactRateLimiter ??= new ExactRateLimiter();
  return globalThis.__koppelExactRateLimiter;
}

/** The limiter's key: Exact counts per app (client id) and division, on one country instance. */
export function exactRateLimitKey(baseUrl: string, clientId: string, division: number | "current"): string {
  return `${baseUrl}|${clientId}|${division}`;
}
