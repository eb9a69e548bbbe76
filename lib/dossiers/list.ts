import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { dossiers } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import { NotFoundError } from "@/lib/errors";
import { type DossierSummary, dossierSummaryOf, selectDossierSummaries } from "./get";
import { dossierSearchCondition } from "./search";

export const DOSSIER_PAGE_SIZE_DEFAULT = 50;
export const DOSSIER_PAGE_SIZE_MAX = 100;

/** A keyset position in the list's order (name, then id): the last dossier of the previous page. */
const dossierCursorSchema = z.tuple([z.string().max(200), z.guid()]);
type DossierCursor = z.infer<typeof dossierCursorSchema>;

function encodeDossierCursor(cursor: DossierCursor): string {
  return Buffer.from(JSON.stringify(cursor), "utf8").toString("base64url");
}

/**
 * The text of a cursor as a client sends it back; its shape is ours to change, so clients treat it
 * as opaque. Its message is a key under "errors", like every field message.
 */
export const encodedDossierCursorSchema = z
  .string()
  .max(400)
  .regex(/^[A-Za-z0-9_-]+$/, "api.invalidCursor")
  .transform((text, ctx) => {
    try {
      const parsed = dossierCursorSchema.safeParse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
      if (parsed.success) return parsed.data;
    } catch {
      // Falls through to the issue below.
    }
    ctx.addIssue({ code: "custom", message: "api.invalidCursor" });
    return z.NEVER;
  });

export type DossierListParams = {
  portalId: string;
  /** Name, company number or VAT number contains it; empty = all. */
  search?: string;
  /** Where the previous page ended (decoded by encodedDossierCursorSchema). */
  after?: DossierCursor | null;
  limit?: number;
};

export type DossierListPage = {
  items: DossierSummary[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
};

const portalIdSchema = z.guid();

/**
 * One page of a portal's dossiers, by name then id, for the API's dossier list. Keyset paging, so
 * a dossier added or removed between two pages neither repeats nor skips another one. Admins and
 * accountants of the portal ("portal.view"); anyone else gets NotFoundError.
 */
export async function listDossiers(db: DbOrTx, actor: Actor, params: DossierListParams): Promise<DossierListPage> {
  authorize(actor, "portal.view", { portalId: params.portalId });
  if (!portalIdSchema.safeParse(params.portalId).success) throw new NotFoundError();
  const limit = Math.min(Math.max(1, Math.floor(params.limit ?? DOSSIER_PAGE_SIZE_DEFAULT)), DOSSIER_PAGE_SIZE_MAX);
  const after = params.after
    ? sql`(${dossiers.name}, ${dossiers.id}) > (${params.after[0]}, ${params.after[1]}::uuid)`
    : undefined;
  // One more than asked tells whether another page follows.
  const rows = await selectDossierSummaries(db)
    .where(and(eq(dossiers.portalId, params.portalId), dossierSearchCondition(params.search?.trim() ?? ""), after))
    .orderBy(asc(dossiers.name), asc(dossiers.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(dossierSummaryOf),
    nextCursor: rows.length > limit && last ? encodeDossierCursor([last.name, last.id]) : null,
  };
}
