import { setTimeout as sleepFor } from "node:timers/promises";
import { z } from "zod";
import { ConnectorError } from "../../errors";
import type { CallLimitStore } from "../../types";
import { ERROR_BLOCK, RESET_MARGIN_MS } from "./assumptions";

/**
 * Exact Online's limits, kept per key (base URL + client id + division: Exact counts per app and
 * division) in a CallLimitStore: the database (ctx.callLimits, lib/connections/call-limits.ts),
 * so every instance counts against the same budget and breaker, or this process's memory when a
 * context comes without one (tests). Concurrent jobs, in one instance or several, never overshoot:
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
 * Our own count of what is left is exact as long as every call of the key is reserved in the
 * store (the key is our app's, and every instance shares the store); an answer that reports
 * fewer left than we count (another process outside the store, a call of the old minute arriving
 * late) lowers it to Exact's figure minus every call still in flight, the worst case. At a new
 * minute the calls still in flight are deducted from the limit, as they may arrive in it.
 * Every decision reads and writes the key's state in one atomic store change. Waiting never
 * polls for a new minute: a spent budget with a known reset sleeps until the reset (margin
 * included), then every waiter of every instance races for the new units through the store. Only
 * an unknown budget with a call in flight elsewhere is re-checked every `pollMs`; an answer in
 * this process wakes its waiters at once. Calls in flight are counted in the state; a call whose
 * instance died is given up after `leaseMs` (longer than any call may take).
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

/** One reserved call: settle it with the answer, or release it when no answer came. Never rejects. */
export type RateLimitPermit = {
  settle(status: number, headers: HeaderSource): Promise<void>;
  release(): Promise<void>;
};

/** What the store keeps per key (JSON). */
const budgetStateSchema = z.object({
  minutelyLimit: z.number().nullable(),
  /** What we may still send this minute, our reservations deducted; null = unknown. */
  minutelyRemaining: z.number().nullable(),
  /** When the minute we know of ends (epoch ms); null = a new minute whose end no answer told yet. */
  minutelyReset: z.number().nullable(),
  /** The end of the last minute we moved past: answers about it or earlier are stale. */
  passedReset: z.number(),
  /** How many minutes we moved past: a permit knows the one it was reserved in. */
  minutesPassed: z.number().default(0),
  dailyRemaining: z.number().nullable(),
  dailyReset: z.number().nullable(),
  /** Calls reserved and not yet settled or released, in every instance. */
  inFlight: z.number(),
  /** When the calls in flight are given up for lost (their instance died before settling). */
  inFlightUntil: z.number(),
});

type BudgetState = z.infer<typeof budgetStateSchema>;

function emptyState(): BudgetState {
  return {
    minutelyLimit: null,
    minutelyRemaining: null,
    minutelyReset: null,
    passedReset: 0,
    minutesPassed: 0,
    dailyRemaining: null,
    dailyReset: null,
    inFlight: 0,
    inFlightUntil: 0,
  };
}

function stateOf(stored: unknown): BudgetState {
  const parsed = budgetStateSchema.safeParse(stored);
  return parsed.success ? parsed.data : emptyState();
}

type Step =
  | { kind: "take"; minute: number }
  | { kind: "wait"; waitMs: number }
  | { kind: "refuse"; error: ConnectorError };

/** Limits counted in this process only: for contexts without a shared store (tests, one instance). */
export function memoryCallLimitStore(): CallLimitStore & { clear(): void } {
  const states = new Map<string, unknown>();
  const events = new Map<string, number[]>();
  return {
    async change(key, decide) {
      const { next, result } = decide(states.get(key) ?? null);
      if (next !== undefined) states.set(key, next);
      return result;
    },
    async recordEvent(key, at, keepMs) {
      const kept = (events.get(key) ?? []).filter((time) => time > at - keepMs);
      events.set(key, [...kept, at]);
    },
    async eventsSince(key, since) {
      return (events.get(key) ?? []).filter((time) => time > since);
    },
    clear() {
      states.clear();
      events.clear();
    },
  };
}

export type ExactRateLimiterOptions = {
  clock?: RateLimitClock;
  /** Where the limits are counted when `acquire` is given no store; default this process's memory. */
  store?: CallLimitStore;
  /** Longest wait for a new minute inside one call; longer → rate_limited with retryAfterMs. */
  maxWaitMs?: number;
  /** How long past Exact's reset a new minute starts for us (clock differences). */
  resetMarginMs?: number;
  /** How often a call waiting for another instance's answer (unknown budget) looks again. */
  pollMs?: number;
  /** After how long a reserved call that never settled is no longer counted in flight. */
  leaseMs?: number;
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
  private readonly store: CallLimitStore & { clear?: () => void };
  private readonly maxWaitMs: number;
  private readonly resetMarginMs: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly errorStopAt: number;
  private readonly errorWindowMs: number;
  /** Calls of this process waiting per key, woken by an answer in this process. */
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(options: ExactRateLimiterOptions = {}) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.store = options.store ?? memoryCallLimitStore();
    this.maxWaitMs = options.maxWaitMs ?? 65_000;
    this.resetMarginMs = options.resetMarginMs ?? RESET_MARGIN_MS;
    this.pollMs = options.pollMs ?? 100;
    // Longer than a delivery's timeout (lib/dispatch/deliver.ts: 120 s): a live call is never given up.
    this.leaseMs = options.leaseMs ?? 180_000;
    this.errorStopAt = options.errorStopAt ?? ERROR_BLOCK.value.stopAt;
    this.errorWindowMs = options.errorWindowMs ?? ERROR_BLOCK.value.windowMs;
  }

  /**
   * Reserves one call for `key` to `endpoint` (e.g. "documents/Documents") in `store` (default:
   * the limiter's own), waiting for a new minute when needed. Throws ConnectorError (retryable)
   * when the call may not go now.
   */
  async acquire(
    key: string,
    endpoint: string,
    signal: AbortSignal,
    store: CallLimitStore = this.store,
  ): Promise<RateLimitPermit> {
    for (;;) {
      await this.assertNotBlocked(store, key, endpoint);
      const now = this.clock.now();
      const step = await store.change(key, (stored) => {
        const state = stateOf(stored);
        return { next: state, result: this.decide(state, now) };
      });
      if (step.kind === "take") return this.permit(store, key, endpoint, step.minute);
      if (step.kind === "refuse") throw step.error;
      await this.waitForChange(key, step.waitMs, signal);
    }
  }

  /** Forgets everything this process counted in its own memory (tests). */
  reset(): void {
    this.store.clear?.();
    this.waiters.clear();
  }

  /** What the store holds about a key now (tests, diagnostics). */
  describe(
    key: string,
    store: CallLimitStore = this.store,
  ): Promise<{ minutelyRemaining: number | null; minutelyReset: number | null; inFlight: number }> {
    return store.change(key, (stored) => {
      const { minutelyRemaining, minutelyReset, inFlight } = stateOf(stored);
      return { result: { minutelyRemaining, minutelyReset, inFlight } };
    });
  }

  /** The decision for one call at `now`, changing `state` (the store saves it). */
  private decide(state: BudgetState, now: number): Step {
    // Calls reserved by an instance that died never settle: after the lease they no longer count.
    if (state.inFlight > 0 && now >= state.inFlightUntil) state.inFlight = 0;

    if (state.dailyRemaining !== null && state.dailyRemaining <= 0 && state.dailyReset !== null) {
      if (now < state.dailyReset) {
        return {
          kind: "refuse",
          error: new ConnectorError("retryable", "quota_exceeded", {
            retryAfterMs: state.dailyReset - now,
            vendorDetail: "daily call budget spent",
          }),
        };
      }
      state.dailyRemaining = null;
      state.dailyReset = null;
    }

    if (state.minutelyReset !== null && now >= state.minutelyReset + this.resetMarginMs) {
      state.passedReset = state.minutelyReset;
      state.minutesPassed++;
      state.minutelyReset = null;
      // Calls still in flight from the old minute may reach Exact in the new one: count them there.
      state.minutelyRemaining = state.minutelyLimit === null ? null : Math.max(0, state.minutelyLimit - state.inFlight);
    }

    const isBudgetUnknown =
      state.minutelyRemaining === null || (state.minutelyRemaining <= 0 && state.minutelyReset === null);
    if ((isBudgetUnknown && state.inFlight === 0) || (!isBudgetUnknown && (state.minutelyRemaining ?? 0) > 0)) {
      if (!isBudgetUnknown && state.minutelyRemaining !== null) state.minutelyRemaining--;
      if (state.dailyRemaining !== null) state.dailyRemaining--;
      state.inFlight++;
      state.inFlightUntil = Math.max(state.inFlightUntil, now + this.leaseMs);
      return { kind: "take", minute: state.minutesPassed };
    }

    // Spent with a known reset: sleep until it. Unknown: look again soon (the answer in flight
    // may come in another instance), or at once when one comes in this one.
    if (isBudgetUnknown || state.minutelyReset === null) return { kind: "wait", waitMs: this.pollMs };
    const waitMs = state.minutelyReset + this.resetMarginMs - now;
    if (waitMs > this.maxWaitMs) {
      return {
        kind: "refuse",
        error: new ConnectorError("retryable", "rate_limited", {
          retryAfterMs: waitMs,
          vendorDetail: "minutely call budget spent",
        }),
      };
    }
    return { kind: "wait", waitMs };
  }

  /** `minute`: the state's minutesPassed when the call was reserved. */
  private permit(store: CallLimitStore, key: string, endpoint: string, minute: number): RateLimitPermit {
    let isDone = false;
    const finish = async (answer: { status: number; headers: HeaderSource } | null) => {
      if (isDone) return;
      isDone = true;
      try {
        if (answer && (ERROR_BLOCK.value.statuses as readonly number[]).includes(answer.status)) {
          await store.recordEvent(this.errorKey(key, endpoint), this.clock.now(), this.errorWindowMs);
        }
        await store.change(key, (stored) => {
          const state = stateOf(stored);
          state.inFlight = Math.max(0, state.inFlight - 1);
          if (answer) {
            this.learn(state, answer.status, answer.headers);
            this.giveBackIfCountedInOldMinute(state, minute, answer.headers);
          }
          return { next: state, result: undefined };
        });
      } catch (error) {
        // The answer is what counts for the caller; a lost count only lasts until the lease ends.
        console.warn("[exact-online] the rate limiter could not record an answer", error);
      } finally {
        this.wake(key);
      }
    };
    return {
      settle: (status, headers) => finish({ status, headers }),
      // No answer: the call may or may not have been counted, so its unit stays spent.
      release: () => finish(null),
    };
  }

  /**
   * A call in flight when the minute passed was deducted from the new minute (it might arrive
   * there); an answer saying Exact counted it in the old one gives that unit back.
   */
  private giveBackIfCountedInOldMinute(state: BudgetState, minute: number, headers: HeaderSource): void {
    const reset = headerNumber(headers, "x-ratelimit-minutely-reset");
    if (
      minute + 1 === state.minutesPassed &&
      reset !== null &&
      reset <= state.passedReset &&
      state.minutelyRemaining !== null &&
      state.minutelyLimit !== null
    ) {
      state.minutelyRemaining = Math.min(state.minutelyLimit, state.minutelyRemaining + 1);
    }
  }

  private learn(state: BudgetState, status: number, headers: HeaderSource): void {
    const limit = headerNumber(headers, "x-ratelimit-minutely-limit");
    const remaining = headerNumber(headers, "x-ratelimit-minutely-remaining");
    const reset = headerNumber(headers, "x-ratelimit-minutely-reset");
    if (limit !== null && limit > 0) state.minutelyLimit = limit;
    if (remaining !== null && reset !== null && reset > state.passedReset) {
      // Calls still in flight (in any instance) may be counted after this answer: assume they will be.
      const left = Math.max(0, remaining - state.inFlight);
      const isLaterMinute = state.minutelyReset !== null && reset > state.minutelyReset;
      if (isLaterMinute || state.minutelyReset === null || reset === state.minutelyReset) {
        if (isLaterMinute || state.minutelyRemaining === null) {
          state.minutelyRemaining = left;
        } else if (remaining < state.minutelyRemaining) {
          // Exact counted calls we did not reserve (another app process not sharing this store,
          // a call of the old minute that arrived late): from here on, the worst case.
          state.minutelyRemaining = Math.min(state.minutelyRemaining, left);
        }
        // Else Exact counted no more than we reserved: every call of this key is reserved here
        // (the store is shared by every instance), so our own count stands. Deducting the calls
        // in flight again would count those Exact already saw twice.
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
    return `${key}|${endpoint}`;
  }

  private async assertNotBlocked(store: CallLimitStore, key: string, endpoint: string): Promise<void> {
    const now = this.clock.now();
    const recent = await store.eventsSince(this.errorKey(key, endpoint), now - this.errorWindowMs);
    if (recent.length < this.errorStopAt) return;
    const oldest = recent[recent.length - this.errorStopAt] as number;
    throw new ConnectorError("retryable", "blocked_after_errors", {
      retryAfterMs: Math.max(1, oldest + this.errorWindowMs - now),
      vendorDetail: `${recent.length} error answers from ${endpoint} within the hour`,
    });
  }

  /** Resolves after `ms` or at the next answer for this key in this process, whichever comes first. */
  private async waitForChange(key: string, ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw this.abortedWait(ms);
    const timer = new AbortController();
    const stopTimer = () => timer.abort();
    signal.addEventListener("abort", stopTimer, { once: true });
    let waiters = this.waiters.get(key);
    if (!waiters) {
      waiters = new Set();
      this.waiters.set(key, waiters);
    }
    let wake: () => void = () => {};
    try {
      await new Promise<void>((resolve, reject) => {
        wake = resolve;
        waiters.add(wake);
        this.clock.sleep(Math.max(0, ms), timer.signal).then(resolve, () => {
          if (signal.aborted) reject(this.abortedWait(ms));
          else resolve();
        });
      });
    } finally {
      waiters.delete(wake);
      if (waiters.size === 0 && this.waiters.get(key) === waiters) this.waiters.delete(key);
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

  private wake(key: string): void {
    for (const resolve of [...(this.waiters.get(key) ?? [])]) resolve();
  }
}

declare global {
  // One limiter per process, also when Next.js loads this module more than once.
  var __koppelExactRateLimiter: ExactRateLimiter | undefined;
}

/**
 * The process-wide limiter every Exact call goes through; it counts in the store a call hands it
 * (ctx.callLimits), else in this process's memory.
 */
export function exactRateLimiter(): ExactRateLimiter {
  globalThis.__koppelExactRateLimiter ??= new ExactRateLimiter();
  return globalThis.__koppelExactRateLimiter;
}

/** The limiter's key: Exact counts per app (client id) and division, on one country instance. */
export function exactRateLimitKey(baseUrl: string, clientId: string, division: number | "current"): string {
  return `${baseUrl}|${clientId}|${division}`;
}
