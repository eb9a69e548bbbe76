import { z } from "zod";
import { companyNumberSchema } from "@/lib/dossiers/schemas";
import { LOCALES } from "@/lib/i18n/config";
import { visibleTextSchema } from "@/lib/text/visible";

// Messages are keys under the "errors" i18n namespace.

export const emailSchema = z
  .string({ error: "email.required" })
  .trim()
  .toLowerCase()
  .min(1, "email.required")
  .max(254, "email.invalid")
  .pipe(z.email({ error: "email.invalid" }));

export const localeSchema = z.enum(LOCALES, { error: "locale.invalid" });

export const personNameSchema = visibleTextSchema({ error: "personName.required" })
  .min(1, "personName.required")
  .max(200, "personName.tooLong");

export const officeNameSchema = visibleTextSchema({ error: "officeName.required" })
  .min(1, "officeName.required")
  .max(200, "officeName.tooLong");

export const invitePortalMemberSchema = z.object({
  portalId: z.uuid({ error: "notFound" }),
  email: emailSchema,
  role: z.enum(["admin", "accountant"], { error: "role.invalid" }),
  locale: localeSchema,
});
export type InvitePortalMemberInput = z.output<typeof invitePortalMemberSchema>;

/** One or more addresses, separated by commas, semicolons, spaces or new lines. */
export const emailListSchema = z
  .string({ error: "emails.required" })
  .transform((value) => [
    ...new Set(
      value
        .split(/[\s,;]+/)
        .filter((part) => part !== "")
        .map((part) => part.toLowerCase()),
    ),
  ])
  .pipe(
    z
      .array(z.email({ error: "emails.invalid" }).max(254, "emails.invalid"))
      .min(1, "emails.required")
      .max(20, "emails.tooMany"),
  );

export const inviteDossierClientsSchema = z.object({
  dossierId: z.uuid({ error: "notFound" }),
  emails: emailListSchema,
  /** Defaults to the dossier's language. */
  locale: localeSchema.optional(),
});
export type InviteDossierClientsInput = z.output<typeof inviteDossierClientsSchema>;

export const officeSignUpSchema = z.object({
  officeName: officeNameSchema,
  companyNumber: companyNumberSchema,
  personName: personNameSchema,
  email: emailSchema,
  locale: localeSchema,
  /** The single-use link of `npm run office:invite`, when KOPPEL_SIGNUP=invite. */
  inviteToken: z.string().max(200).optional(),
});
export type OfficeSignUpInput = z.output<typeof officeSignUpSchema>;
