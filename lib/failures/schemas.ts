import { z } from "zod";
import {
  documentCursorSchema,
  encodeCursor,
  encodedCursorSchema,
  firstString,
  type PageDirection,
} from "@/lib/documents/schemas";
import { FAILURE_GROUPS } from "./groups";

export const failureGroupSchema = z.enum(FAILURE_GROUPS);

/**
 * Why a delivery-log period was refused: the export route answers scripts 400 with
 * `failures.export.errors.<code>`, and sends a person's form back to the page with `exportError`.
 */
export const DELIVERY_LOG_RANGE_ERRORS = ["missing", "invalid_date", "reversed", "too_long"] as const;
export type DeliveryLogRangeError = (typeof DELIVERY_LOG_RANGE_ERRORS)[number];

/**
 * A keyset position in one group's order (newest change first): the document's updated_at in UTC
 * with microseconds (checked like the document list's cursor) and the id that breaks ties. `group`
 * binds the cursor to the group it was made for.
 */
export const failureCursorSchema = z.object({
  group: failureGroupSchema,
  key: documentCursorSchema.shape.key,
  id: z.guid(),
});
export type FailureCursor = z.infer<typeof failureCursorSchema>;

/** Opaque base64url text for URLs and for "retry the next batch". */
export function encodeFailureCursor(cursor: FailureCursor): string {
  return encodeCursor(cursor.group, cursor.key, cursor.id);
}

export const encodedFailureCursorSchema = encodedCursorSchema("group", failureCursorSchema);

export type FailurePageDirection = PageDirection;

/**
 * The failure page's search params: `?group=reauth` shows one group with paging (`&after=` /
 * `&before=`); no group shows every group's first rows. Every part degrades on its own, so a
 * hand-edited URL never becomes an error page.
 */
export const failureSearchSchema = z
  .object({
    group: z.preprocess(firstString, failureGroupSchema.optional()).catch(undefined),
    after: z.preprocess(firstString, encodedFailureCursorSchema.optional()).catch(undefined),
    before: z.preprocess(firstString, encodedFailureCursorSchema.optional()).catch(undefined),
    from: z.preprocess(firstString, z.iso.date().optional()).catch(undefined),
    to: z.preprocess(firstString, z.iso.date().optional()).catch(undefined),
    exportError: z.preprocess(firstString, z.enum(DELIVERY_LOG_RANGE_ERRORS).optional()).catch(undefined),
  })
  .transform(({ group, after, before, from, to, exportError }) => {
    const position: { cursor: FailureCursor; direction: FailurePageDirection } | null =
      group && after?.group === group
        ? { cursor: after, direction: "older" }
        : group && before?.group === group
          ? { cursor: before, direction: "newer" }
          : null;
    return { group: group ?? null, position, from: from ?? null, to: to ?? null, exportError: exportError ?? null };
  });
export type FailureSearch = z.infer<typeof failureSearchSchema>;

export function parseFailureSearch(params: Record<string, string | string[] | undefined>): FailureSearch {
  const parsed = failureSearchSchema.safeParse(params);
  return parsed.success ? parsed.data : { group: null, position: null, from: null, to: null, exportError: null };
}

/** Input of "retry all in this group": the group, and where the previous batch stopped. */
export const retryFailureGroupInputSchema = z.object({
  portalId: z.string().max(100),
  group: failureGroupSchema,
  after: encodedFailureCursorSchema.optional(),
});
export type RetryFailureGroupInput = z.input<typeof retryFailureGroupInputSchema>;
