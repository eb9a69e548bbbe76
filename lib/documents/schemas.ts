import { z } from "zod";
import { DOCUMENT_TYPES } from "./document-types";

/** The tabs of a dossier's document list, in display order. */
export const DOCUMENT_TABS = ["inbox", "sent", "failed", "rejected", "archived"] as const;

export const documentTabSchema = z.enum(DOCUMENT_TABS);
export type DocumentTab = z.infer<typeof documentTabSchema>;

/** Postgres timestamps carry microseconds; the cursor keeps all six digits so no row is skipped. */
const CURSOR_KEY_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** A real calendar instant (rejects 2026-02-30, hour 25, …) so the database never sees a bad literal. */
function isRealInstant(key: string): boolean {
  const millis = `${key.slice(0, 23)}Z`;
  const date = new Date(millis);
  return !Number.isNaN(date.getTime()) && date.toISOString() === millis;
}

/**
 * A keyset position in a tab's order: the sort timestamp (created_at, or archived_at in the
 * Archived tab) in UTC with microseconds, plus the id that breaks ties. `tab` binds the cursor to
 * the tab it was made for.
 */
export const documentCursorSchema = z.object({
  tab: documentTabSchema,
  key: z.string().regex(CURSOR_KEY_PATTERN).refine(isRealInstant),
  id: z.guid(),
});
export type DocumentCursor = z.infer<typeof documentCursorSchema>;

/**
 * A keyset cursor as opaque base64url text for URLs: its scope (the tab or group it was made
 * for), the sort key and the id, as a JSON triple. Its shape is an implementation detail of a list.
 */
export function encodeCursor(scope: string, key: string, id: string): string {
  return Buffer.from(JSON.stringify([scope, key, id]), "utf8").toString("base64url");
}

/** The text of a cursor in a URL, decoded into `{ [scopeField], key, id }` and checked by `schema`. */
export function encodedCursorSchema<TScope extends string, TCursor>(scopeField: TScope, schema: z.ZodType<TCursor>) {
  return z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/)
    .transform((text, ctx) => {
      try {
        const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
        if (Array.isArray(value) && value.length === 3) {
          return { [scopeField]: value[0], key: value[1], id: value[2] } as unknown;
        }
      } catch {
        // Falls through to the issue below.
      }
      ctx.addIssue({ code: "custom", message: "invalid cursor" });
      return z.NEVER;
    })
    .pipe(schema);
}

export function encodeDocumentCursor(cursor: DocumentCursor): string {
  return encodeCursor(cursor.tab, cursor.key, cursor.id);
}

export const encodedDocumentCursorSchema = encodedCursorSchema("tab", documentCursorSchema);

/** Older = further down the newest-first list; newer = back up towards the first page. */
export type PageDirection = "older" | "newer";

/** A search param given once (a repeated one is treated as absent). */
export const firstString = (value: unknown) => (Array.isArray(value) ? undefined : value);

/**
 * The list's URL search params (`?tab=sent&after=<cursor>` or `&before=<cursor>`). Every part
 * degrades on its own: an unknown tab becomes Inbox, a bad cursor or one made for another tab
 * means the first page. Never throws, so a hand-edited URL never becomes an error page.
 */
export const documentListSearchSchema = z
  .object({
    tab: z.preprocess(firstString, documentTabSchema.catch("inbox")).catch("inbox"),
    after: z.preprocess(firstString, encodedDocumentCursorSchema.optional()).catch(undefined),
    before: z.preprocess(firstString, encodedDocumentCursorSchema.optional()).catch(undefined),
  })
  .transform(({ tab, after, before }) => {
    const position: { cursor: DocumentCursor; direction: PageDirection } | null =
      after?.tab === tab
        ? { cursor: after, direction: "older" }
        : before?.tab === tab
          ? { cursor: before, direction: "newer" }
          : null;
    return { tab, cursor: position?.cursor ?? null, direction: position?.direction ?? ("older" as PageDirection) };
  });
export type DocumentListSearch = z.infer<typeof documentListSearchSchema>;

/** Parses raw search params; never throws (see documentListSearchSchema). */
export function parseDocumentListSearch(params: Record<string, string | string[] | undefined>): DocumentListSearch {
  const parsed = documentListSearchSchema.safeParse(params);
  return parsed.success ? parsed.data : { tab: "inbox", cursor: null, direction: "older" };
}

export const documentTypeSchema = z.enum(DOCUMENT_TYPES);

/** A recognition step's confidence in the type, 0..1. */
export const recognitionConfidenceSchema = z.number().min(0).max(1);

/** Input of "set the type by hand". */
export const setDocumentTypeSchema = z.object({ documentId: z.guid(), documentType: documentTypeSchema });
export type SetDocumentTypeInput = z.infer<typeof setDocumentTypeSchema>;
