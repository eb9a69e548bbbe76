import { z } from "zod";
import { PORTAL_ROLES } from "@/lib/auth/permissions";
import { NotFoundError } from "@/lib/errors";

// Input of the members services (lib/members), shared by the members page's actions and any later
// API. Messages are keys under the "errors" i18n namespace. A malformed id is "not found", never a
// database error.

const idSchema = z.guid({ error: "notFound" });

export const memberRefSchema = z.object({
  portalId: idSchema,
  /** The member's user id: one membership per user and office. */
  userId: idSchema,
});
export type MemberRef = z.output<typeof memberRefSchema>;

/** For services: ids that cannot exist are "not found", as unknown ones are. */
export function memberRefOrNotFound(input: unknown): MemberRef {
  const parsed = memberRefSchema.safeParse(input);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}

export const changeMemberRoleSchema = memberRefSchema.extend({
  role: z.enum(PORTAL_ROLES, { error: "role.invalid" }),
});
export type ChangeMemberRoleInput = z.output<typeof changeMemberRoleSchema>;

/** An invitation named on the members page; the office only says which page to refresh. */
export const memberInvitationRefSchema = z.object({
  portalId: idSchema,
  invitationId: idSchema,
});

/** The history is shown newest first, MEMBER_HISTORY_PAGE_SIZE at a time. */
export const MEMBER_HISTORY_PAGE_SIZE = 50;

export const memberHistoryQuerySchema = z.object({
  /** Keyset: only events older than this one (its id), for "more". */
  before: z.coerce.number().int().positive().optional().catch(undefined),
  limit: z.coerce.number().int().min(1).max(200).default(MEMBER_HISTORY_PAGE_SIZE),
});
export type MemberHistoryQuery = z.input<typeof memberHistoryQuerySchema>;
