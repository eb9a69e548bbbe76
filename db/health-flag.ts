/**
 * Whether this process last found its database out of reach: a flag on globalThis, because the
 * proxy (proxy.ts) is bundled apart from the pages and routes that find out. No imports, so the
 * proxy can read it without loading a database driver. Set by db/health.ts; cleared there by the
 * probe that sees the database answer again.
 */
declare global {
  var __koppelDatabaseUnreachableSince: number | undefined;
}

/** Since when (ms since the epoch) the database has been out of reach, or undefined when it answers. */
export function databaseUnreachableSince(): number | undefined {
  return globalThis.__koppelDatabaseUnreachableSince;
}

export function setDatabaseUnreachableSince(since: number | undefined): void {
  globalThis.__koppelDatabaseUnreachableSince = since;
}
