import { z } from "zod";
import { PERMISSIONS, PORTAL_ROLES, type PortalRole } from "@/lib/auth/permissions";
import { ACTION_SCOPES, API_SCOPES, type ApiScope } from "@/lib/auth/scopes";
import { visibleTextSchema } from "@/lib/text/visible";

// Input of the API key services, shared by the settings page's actions and any later API. Messages
// are keys under the "errors" i18n namespace, shown next to the field.

export const API_KEY_NAME_MAX_LENGTH = 100;
/** How far ahead an expiry may lie: a key that must live longer is made again, on purpose. */
export const API_KEY_MAX_LIFETIME_YEARS = 2;

/**
 * The scopes that can ever be used by a key of `role`: those some action needs (ACTION_SCOPES)
 * that the permission table allows the role. An accountant key with `webhooks:manage` would hold a
 * scope no action lets it use, so it is refused rather than quietly useless.
 */
export function scopesUsableBy(role: PortalRole): ApiScope[] {
  const usable = new Set<ApiScope>();
  for (const [action, scope] of Object.entries(ACTION_SCOPES)) {
    const roles: readonly PortalRole[] = PERMISSIONS[action as keyof typeof PERMISSIONS].portalRoles;
    if (scope !== null && roles.includes(role)) usable.add(scope);
  }
  return API_SCOPES.filter((scope) => usable.has(scope));
}

const ISO_DATE = z.iso.date();

/** "YYYY-MM-DD" of an instant, in UTC. */
function utcDateOf(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

function addUtcDays(date: string, days: number): string {
  const instant = new Date(`${date}T00:00:00.000Z`);
  instant.setUTCDate(instant.getUTCDate() + days);
  return utcDateOf(instant);
}

/**
 * The expiry dates a form may offer at `now`: from tomorrow (UTC) up to the same day two years on.
 * The form uses them as the date field's min and max; the schema enforces them.
 */
export function expiryDateBounds(now: Date = new Date()): { min: string; max: string } {
  const max = new Date(now.getTime());
  max.setUTCFullYear(max.getUTCFullYear() + API_KEY_MAX_LIFETIME_YEARS);
  return { min: addUtcDays(utcDateOf(now), 1), max: utcDateOf(max) };
}

/**
 * When a key chosen to expire "on" a date stops working: the end of that day in UTC, that is the
 * first instant of the next day (authenticateApiKey refuses a key from its `expiresAt` on). A
 * whole day, not an instant, because the form asks for a date, and UTC so the same date means the
 * same moment whoever picks it (in Belgium the key then works until 01:00 or 02:00 local time).
 */
export function expiresAtOf(expiresOn: string): Date {
  return new Date(`${addUtcDays(expiresOn, 1)}T00:00:00.000Z`);
}

/** Why an expiry date is refused at `now`, or null when it is fine. */
function expiryDateProblem(value: string, now: Date): string | null {
  if (!ISO_DATE.safeParse(value).success) return "apiKey.expiresOnInvalid";
  const { min, max } = expiryDateBounds(now);
  if (value < min) return "apiKey.expiresOnPast";
  if (value > max) return "apiKey.expiresOnTooFar";
  return null;
}

/** An optional expiry date, "YYYY-MM-DD"; blank or absent: the key never expires. */
const expiresOnSchema = z
  .string({ error: "apiKey.expiresOnInvalid" })
  .trim()
  .nullish()
  // A refinement, not a failing transform, so the other fields' checks still run and the form
  // shows every problem at once. Checked at parse time: the bounds move with the clock.
  .superRefine((value, ctx) => {
    const problem = value ? expiryDateProblem(value, new Date()) : null;
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .transform((value): Date | null => (value ? expiresAtOf(value) : null));

/** A new API key: what people name it, the role it acts with, its scopes and optional expiry date. */
export const createApiKeySchema = z
  .object({
    name: visibleTextSchema({ error: "apiKey.nameRequired" })
      .min(1, "apiKey.nameRequired")
      .max(API_KEY_NAME_MAX_LENGTH, "apiKey.nameTooLong"),
    role: z.enum(PORTAL_ROLES, { error: "apiKey.roleInvalid" }),
    scopes: z
      .array(z.enum(API_SCOPES, { error: "apiKey.scopeUnknown" }), { error: "apiKey.scopesRequired" })
      .min(1, "apiKey.scopesRequired")
      .refine((scopes) => new Set(scopes).size === scopes.length, "apiKey.scopesDuplicate"),
    expiresOn: expiresOnSchema,
  })
  .superRefine((input, ctx) => {
    // Runs beside the fields' own issues: only judge a role and scopes that are themselves valid.
    if (!(PORTAL_ROLES as readonly string[]).includes(input.role) || !Array.isArray(input.scopes)) return;
    const usable = scopesUsableBy(input.role);
    if (input.scopes.some((scope) => !usable.includes(scope))) {
      ctx.addIssue({ code: "custom", path: ["scopes"], message: "apiKey.scopeNeedsAdmin" });
    }
  })
  .transform(({ expiresOn, scopes, ...rest }) => ({
    ...rest,
    // In the catalogue's order, so every screen lists a key's scopes alike.
    scopes: API_SCOPES.filter((scope) => scopes.includes(scope)),
    /** The instant the key stops working (expiresAtOf), or null. */
    expiresAt: expiresOn,
  }));

export type CreateApiKeyInput = z.input<typeof createApiKeySchema>;
export type CreateApiKeyValues = z.output<typeof createApiKeySchema>;

/** A key of an office, as a page names it (both ids are checked again by the service). */
export const apiKeyRefSchema = z.object({
  portalId: z.uuid({ error: "notFound" }),
  keyId: z.uuid({ error: "notFound" }),
});

/** The office a new key is for, as the settings page's form posts it. */
export const apiKeyPortalSchema = apiKeyRefSchema.pick({ portalId: true });
