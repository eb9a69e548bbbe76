/**
 * What became of shared files, carried in the URL of the page the share lands on: the dossier's
 * documents with "?shared=<received>&refused=<message key>…", or a notice page when nothing could
 * be taken. Only counts and message keys travel, never file names (URLs end up in histories and
 * logs); the received documents are in the dossier's list anyway.
 *
 * No server-only import: the route, the server action and the pages all read it.
 */

/** Why a share landed nowhere: each has its own notice page, /share/notice/<reason>. */
export const SHARE_NOTICES = [
  /** The share arrived signed out; signed in now, the person shares again. */
  "signed-in",
  "no-dossier",
  "too-large",
  "no-files",
  "too-many-files",
  "unreadable",
  /** The file store could not keep the files (lib/storage/file-store.ts FileStoreError). */
  "storage-full",
  "storage-unavailable",
  "failed",
] as const;
export type ShareNotice = (typeof SHARE_NOTICES)[number];

export function shareNoticePath(notice: ShareNotice): string {
  return `/share/notice/${notice}`;
}

export function isShareNotice(value: string): value is ShareNotice {
  return (SHARE_NOTICES as readonly string[]).includes(value);
}

/** The per-file outcome as the upload service answers it; only what the page shows is read. */
type FileOutcome = { ok: true } | { ok: false; messageKey: string };

/** The query to append to the dossier's URL after its shared files were ingested. */
export function shareOutcomeQuery(files: readonly FileOutcome[]): string {
  const query = new URLSearchParams({ shared: String(files.filter((file) => file.ok).length) });
  for (const file of files) if (!file.ok) query.append("refused", file.messageKey);
  return query.toString();
}

export type ShareOutcome = {
  received: number;
  /** Message keys under "errors", one per refused file, in order. */
  refused: string[];
};

const MESSAGE_KEY = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;
const MAX_LISTED = 20;

/**
 * Reads the outcome back from the dossier page's search params; null when the page was not
 * reached by a share. Anyone can type such a URL: the counts are bounded and the keys only ever
 * pick one of our own messages (the page checks they exist), so nothing typed reaches the page.
 */
export function parseShareOutcome(search: Record<string, string | string[] | undefined>): ShareOutcome | null {
  const shared = search.shared;
  if (typeof shared !== "string" || !/^\d{1,2}$/.test(shared)) return null;
  const refusedParam = search.refused;
  const refused = (Array.isArray(refusedParam) ? refusedParam : refusedParam === undefined ? [] : [refusedParam])
    .filter((key) => MESSAGE_KEY.test(key) && key.length <= 100)
    .slice(0, MAX_LISTED);
  return { received: Math.min(Number(shared), MAX_LISTED), refused };
}
