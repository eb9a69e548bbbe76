/**
 * The web app manifest's share target (app/manifest.ts): where a phone's share sheet posts files
 * shared to the installed app, and which files it offers Koppel. The route that receives them
 * (app/(app)/share/route.ts) and the browser test read the same constants.
 *
 * No server-only import: the manifest and the tests read it too.
 */

/** The share route: a same-origin POST, multipart/form-data. */
export const SHARE_ACTION = "/share";

/** The form field that carries the shared files, as the upload form names it. */
export const SHARE_FILE_FIELD = "file";

/**
 * What the share sheet offers: the types an upload takes (lib/documents/sniff.ts: PDF, JPEG, PNG,
 * UBL XML), by MIME type and by extension, since share sheets match either. The content is still
 * judged by its bytes when the files are ingested; this only decides when Koppel is offered.
 */
export const SHARE_ACCEPT = [
  "application/pdf",
  "image/jpeg",
  "image/png",
  "application/xml",
  "text/xml",
  ".pdf",
  ".jpg",
  ".jpeg",
  ".png",
  ".xml",
] as const;

/** How long shared files wait for their dossier to be picked before they are deleted. */
export const PENDING_SHARE_LIFETIME_MS = 24 * 60 * 60 * 1000;
