import { createHmac, randomBytes } from "node:crypto";
import { FTPError } from "basic-ftp";
import { ConnectorError } from "../errors";
import { createRemoteFileSession } from "./open-session";
import { FTP_SOCKET_TIMEOUT_MS, type FtpEndpoint, type RemoteFileSession } from "./session";

/**
 * The FTP session pool: consecutive deliveries to the same server, as the same user with the
 * same settings, reuse one logged-in session (a basic-ftp client, or an SSH connection with its
 * SFTP channel) instead of connecting, negotiating TLS or SSH and logging in for every file. The rules (conventions §4 "FTP", issue 5 "Delivery"):
 * - A session serves one call at a time and never gets parallel commands: calls for one key take
 *   turns (a queue per key), whatever the caller does. The job driver already runs one delivery
 *   per FTP connection at a time; the pool does not rely on it.
 * - The key is everything that defines the session: host name, checked address, port, security,
 *   pinned certificate fingerprint, trusted SSH host key, user, the password (as a keyed hash,
 *   never in clear) and the socket timeout. Changed settings or a changed password never reuse an old session.
 * - A session whose call failed in any way is closed and dropped, never reused; one that is closed
 *   (`isUsable` false: the server hung up, a socket error) is not lent out again. A session
 *   the server dropped while it waited (nothing of the new call got through) is replaced once,
 *   transparently: the call runs again on a fresh login, which is safe because deliveries are
 *   idempotent (deterministic name, upload then rename).
 * - An unused session is closed after `idleTimeoutMs` (30 s), one older than `maxAgeMs` (5 min) is
 *   not lent out again (a password changed on the server shows within minutes), and at most
 *   `maxSessions` stay open: the least recently used idle one makes room, and when every one is
 *   busy a call gets a session of its own that is closed afterwards.
 * - Idle sessions hold neither a timer nor a socket reference that keeps the process alive.
 * The connection test does not use the pool: it must prove a fresh login.
 */

/** How long sessions live and how many stay open; tests shorten them or move the clock. */
export type FtpSessionPoolOptions = {
  /** An unused session is closed after this long. */
  idleTimeoutMs: number;
  /** A session this old is closed instead of lent out again. */
  maxAgeMs: number;
  /** Sessions open at most, idle or busy. */
  maxSessions: number;
  /** The clock (tests move it). */
  now: () => number;
};

/** 30 s idle, 5 minutes at most, 32 sessions. */
export const DEFAULT_FTP_POOL_OPTIONS: FtpSessionPoolOptions = {
  idleTimeoutMs: 30_000,
  maxAgeMs: 5 * 60_000,
  maxSessions: 32,
  now: () => Date.now(),
};

/** Hashes keys for this process only: a key never shows a password, nor a hash one could test guesses against. */
const KEY_SECRET = randomBytes(32);

/** The session key: a keyed hash of everything that defines the session. */
export function ftpSessionKey(endpoint: FtpEndpoint, socketTimeoutMs: number): string {
  return createHmac("sha256", KEY_SECRET)
    .update(
      JSON.stringify([
        endpoint.hostname,
        endpoint.address,
        endpoint.port,
        endpoint.security,
        endpoint.certificateFingerprint ?? null,
        endpoint.hostKeyFingerprint ?? null,
        endpoint.username,
        endpoint.password,
        socketTimeoutMs,
      ]),
    )
    .digest("base64url");
}

type PooledSession = { session: RemoteFileSession; createdAt: number };

type Slot = {
  key: string;
  /** The key's session: idle between calls, or in use by the call holding the turn. */
  pooled: PooledSession | null;
  isBusy: boolean;
  lastUsedAt: number;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Settles when the last call that queued for a turn is done with it. */
  tail: Promise<void>;
  /** Calls holding or waiting for a turn. */
  waiting: number;
};

/**
 * Whether a call failed because the reused session was already dead when it started: no command
 * of the call completed (the caller checks), and the failure is the connection's, not an answer to
 * the call: a 421 "closing control connection" (a server that timed the idle session out answers
 * the next command with it), or the connection breaking before the server answered anything. A
 * break after an answer (an upload cut off once the server had said "150 ready") is a failure of
 * this call, left to the dispatch's own retries. SFTP sessions count every status answer as a
 * completed command, so a refusal on the first command never looks stale.
 */
function isStaleSessionFailure(error: unknown, serverAnsweredDuringCall: boolean): boolean {
  if (error instanceof ConnectorError) return false;
  if (error instanceof FTPError) return error.code === 421;
  return !serverAnsweredDuringCall;
}

/** Logged-in sessions by key, lent to one call at a time (see the module comment for the rules). */
export class FtpSessionPool {
  private readonly options: FtpSessionPoolOptions;
  private readonly slots = new Map<string, Slot>();
  /** Pooled sessions open (idle or busy); sessions of their own (pool full) are not counted. */
  private openCount = 0;

  constructor(options: Partial<FtpSessionPoolOptions> = {}) {
    this.options = { ...DEFAULT_FTP_POOL_OPTIONS, ...options };
  }

  /** Sessions open in the pool (idle or busy). */
  get size(): number {
    return this.openCount;
  }

  /**
   * Runs `work` on a logged-in session for the endpoint: the key's idle session when it is still
   * usable, else a new one. Waits for its turn when another call holds the key's session. The
   * signal (the call's deadline) ends the wait, or closes the session mid-command. Every failure
   * comes out as a ConnectorError, and the session it happened on is closed.
   */
  async run<T>(
    endpoint: FtpEndpoint,
    options: { signal: AbortSignal; socketTimeoutMs?: number },
    work: (session: RemoteFileSession) => Promise<T>,
  ): Promise<T> {
    const { signal } = options;
    if (signal.aborted) throw new ConnectorError("retryable", "timeout");
    const socketTimeoutMs = options.socketTimeoutMs ?? FTP_SOCKET_TIMEOUT_MS;
    const slot = this.slotFor(ftpSessionKey(endpoint, socketTimeoutMs));
    slot.waiting++;
    let endTurn: () => void = () => {};
    const turn = new Promise<void>((resolve) => {
      endTurn = resolve;
    });
    const before = slot.tail;
    slot.tail = before.then(() => turn);
    try {
      await waitUnlessAborted(before, signal);
    } catch (error) {
      // The turn still passes on only once the call before it is done.
      endTurn();
      this.leave(slot);
      throw error;
    }
    slot.isBusy = true;
    try {
      return await this.runInTurn(slot, endpoint, socketTimeoutMs, signal, work);
    } finally {
      slot.isBusy = false;
      endTurn();
      this.leave(slot);
    }
  }

  /**
   * Closes every idle session now and every busy one as soon as its call ends; from now on every
   * call gets a session of its own, closed afterwards.
   */
  async closeAll(): Promise<void> {
    this.isClosed = true;
    for (const slot of [...this.slots.values()]) {
      if (slot.isBusy) continue;
      this.discard(slot);
      if (slot.waiting === 0) this.slots.delete(slot.key);
    }
  }

  private isClosed = false;

  private slotFor(key: string): Slot {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = {
        key,
        pooled: null,
        isBusy: false,
        lastUsedAt: this.options.now(),
        idleTimer: undefined,
        tail: Promise.resolve(),
        waiting: 0,
      };
      this.slots.set(key, slot);
    }
    return slot;
  }

  /** A call is done with the slot; a slot nobody uses and without a session is forgotten. */
  private leave(slot: Slot): void {
    slot.waiting--;
    if (slot.waiting === 0 && !slot.pooled && this.slots.get(slot.key) === slot) this.slots.delete(slot.key);
  }

  private async runInTurn<T>(
    slot: Slot,
    endpoint: FtpEndpoint,
    socketTimeoutMs: number,
    signal: AbortSignal,
    work: (session: RemoteFileSession) => Promise<T>,
  ): Promise<T> {
    let reused = this.takeIdle(slot);
    for (;;) {
      if (signal.aborted) {
        if (reused) this.park(slot, reused);
        throw new ConnectorError("retryable", "timeout");
      }
      const current: PooledSession = reused ?? {
        session: await createRemoteFileSession(endpoint, socketTimeoutMs),
        createdAt: this.options.now(),
      };
      const { session } = current;
      const onAbort = () => session.close();
      signal.addEventListener("abort", onAbort, { once: true });
      const commandsBefore = session.completedCommands;
      const repliesBefore = session.repliesReceived;
      try {
        if (!reused) {
          await session.open(endpoint);
          this.adopt(slot, current);
        }
        const result = await work(session);
        signal.removeEventListener("abort", onAbort);
        this.park(slot, current);
        return result;
      } catch (error) {
        signal.removeEventListener("abort", onAbort);
        if (slot.pooled === current) this.discard(slot);
        else session.close();
        const wasStale =
          reused !== null &&
          session.completedCommands === commandsBefore &&
          !signal.aborted &&
          isStaleSessionFailure(error, session.repliesReceived !== repliesBefore);
        if (wasStale) {
          // The server dropped the session while it waited: the call starts over on a new login.
          reused = null;
          continue;
        }
        throw session.classifyError(error, { aborted: signal.aborted });
      }
    }
  }

  /** The slot's idle session when it may serve another call; closes it when it may not. */
  private takeIdle(slot: Slot): PooledSession | null {
    const pooled = slot.pooled;
    if (!pooled) return null;
    this.stopIdleTimer(slot);
    const now = this.options.now();
    const isFresh =
      now - pooled.createdAt < this.options.maxAgeMs && now - slot.lastUsedAt < this.options.idleTimeoutMs;
    if (!pooled.session.isUsable || !isFresh) {
      this.discard(slot);
      return null;
    }
    pooled.session.setKeepsProcessAlive(true);
    return pooled;
  }

  /** Makes a new, logged-in session the slot's, when the pool has room (else it stays the call's own). */
  private adopt(slot: Slot, pooled: PooledSession): void {
    if (this.isClosed) return;
    if (this.openCount >= this.options.maxSessions) this.evictLeastRecentlyUsedIdle();
    if (this.openCount >= this.options.maxSessions) return;
    slot.pooled = pooled;
    this.openCount++;
  }

  /** After a successful call: the session waits for the key's next call, or is closed. */
  private park(slot: Slot, current: PooledSession): void {
    if (slot.pooled !== current) {
      // The call's own session (the pool was full).
      current.session.close();
      return;
    }
    const now = this.options.now();
    slot.lastUsedAt = now;
    if (this.isClosed || !current.session.isUsable || now - current.createdAt >= this.options.maxAgeMs) {
      this.discard(slot);
      return;
    }
    current.session.setKeepsProcessAlive(false);
    slot.idleTimer = setTimeout(() => {
      slot.idleTimer = undefined;
      if (!slot.isBusy) this.discard(slot);
      if (slot.waiting === 0 && this.slots.get(slot.key) === slot) this.slots.delete(slot.key);
    }, this.options.idleTimeoutMs);
    slot.idleTimer.unref?.();
  }

  /** Closes the slot's session and forgets it. */
  private discard(slot: Slot): void {
    this.stopIdleTimer(slot);
    if (!slot.pooled) return;
    slot.pooled.session.close();
    slot.pooled = null;
    this.openCount--;
  }

  private stopIdleTimer(slot: Slot): void {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
  }

  private evictLeastRecentlyUsedIdle(): void {
    let oldest: Slot | undefined;
    for (const slot of this.slots.values()) {
      if (slot.pooled && !slot.isBusy && (!oldest || slot.lastUsedAt < oldest.lastUsedAt)) oldest = slot;
    }
    if (!oldest) return;
    this.discard(oldest);
    if (oldest.waiting === 0) this.slots.delete(oldest.key);
  }
}

/** Resolves when `previous` does, or rejects with a timeout when the signal fires first. */
function waitUnlessAborted(previous: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new ConnectorError("retryable", "timeout"));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(new ConnectorError("retryable", "timeout"));
    signal.addEventListener("abort", onAbort, { once: true });
    previous.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}

declare global {
  // On globalThis: Next.js may load this module more than once (instrumentation, route bundles).
  var __koppelFtpSessionPool: FtpSessionPool | undefined;
}

/** The process-wide pool the FTP connector's deliveries and read-backs use. */
export function ftpSessionPool(): FtpSessionPool {
  globalThis.__koppelFtpSessionPool ??= new FtpSessionPool();
  return globalThis.__koppelFtpSessionPool;
}

/**
 * Closes the pooled FTP sessions (idle ones now, busy ones when their call ends) and starts a new
 * pool with `options` when given. For tests and shutdown.
 */
export async function closeFtpSessions(options?: Partial<FtpSessionPoolOptions>): Promise<void> {
  const pool = globalThis.__koppelFtpSessionPool;
  globalThis.__koppelFtpSessionPool = options ? new FtpSessionPool(options) : undefined;
  await pool?.closeAll();
}
