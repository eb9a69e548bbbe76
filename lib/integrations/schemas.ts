import { z } from "zod";
import { addressesInputSchema } from "@/lib/packages/email-addresses";

// Field-error messages are i18n keys: plain ones ("notFound", "emailAddress.invalid") live under
// "errors" (lib/errors.ts, lib/packages/email-addresses.ts); this area's own are full keys under
// "integrations.errors". Forms show them next to the field, the REST API returns them as problems.

/** One e-mail address as stored (already checked by validateAddresses when it was saved). */
const storedAddressSchema = z.email().max(254);

/** A stored address per document category; null = that category does not go out by mail. */
export const categoryAddressesSchema = z.object({
  purchase: storedAddressSchema.nullable(),
  sales: storedAddressSchema.nullable(),
  other: storedAddressSchema.nullable(),
});

export const EMPTY_ADDRESSES: z.infer<typeof categoryAddressesSchema> = { purchase: null, sales: null, other: null };

/** How an e-mail integration finds its addresses: the package's rule (yellow) or typed in (orange). */
export const ADDRESS_MODES = ["standard", "individual"] as const;
export type AddressMode = (typeof ADDRESS_MODES)[number];

/**
 * kind "email": a package's mail integration.
 * - standard + template rule: `inputs` holds the rule's own values (e.g. the Octopus mailbox code);
 *   the addresses are computed from the rule, the inputs and the dossier (company / VAT number)
 *   whenever they are needed, so they follow a corrected VAT number. `addresses` stays empty.
 * - standard + "ask" rule (no public rule): `addresses` holds what the package gave the office.
 * - individual: `addresses` holds the addresses the accountant typed in.
 */
export const emailIntegrationSettingsSchema = z.object({
  addressMode: z.enum(ADDRESS_MODES),
  inputs: z.record(z.string(), z.string()).default({}),
  addresses: categoryAddressesSchema.default(EMPTY_ADDRESSES),
});

/** kind "free_email": mail to any addresses, for a package not in the catalog (named for people). */
export const freeEmailSettingsSchema = z.object({
  packageName: z.string().trim().min(1).max(100).optional(),
  addresses: categoryAddressesSchema,
});

/**
 * kind "connection": the dossier-level settings of the portal connection's connector (division,
 * administration, folder…). Their shape is the connector's `dossierSettingsSchema`, which parses
 * them again on every use; here they only need to be a JSON object.
 */
export const connectionDossierSettingsSchema = z.record(z.string(), z.unknown());

/** kind "none": nothing to store. */
export const noneSettingsSchema = z.object({}).strict();

/**
 * A stored dossier_integrations row (kind, connection, package, settings), re-parsed on read. The
 * connection id lives in its own column so the database can keep it inside the portal.
 */
export const storedDossierIntegrationSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("connection"),
    connectionId: z.guid(),
    // The package is the connection's; the column stays empty.
    packageId: z.string().nullable(),
    settings: connectionDossierSettingsSchema,
  }),
  z.object({
    kind: z.literal("email"),
    connectionId: z.null(),
    packageId: z.string().min(1),
    settings: emailIntegrationSettingsSchema,
  }),
  z.object({
    kind: z.literal("free_email"),
    connectionId: z.null(),
    packageId: z.null(),
    settings: freeEmailSettingsSchema,
  }),
  z.object({ kind: z.literal("none"), connectionId: z.null(), packageId: z.null(), settings: noneSettingsSchema }),
]);

export type EmailIntegrationSettings = z.infer<typeof emailIntegrationSettingsSchema>;
export type FreeEmailSettings = z.infer<typeof freeEmailSettingsSchema>;
export type CategoryAddresses = z.infer<typeof categoryAddressesSchema>;
export type StoredDossierIntegration = z.infer<typeof storedDossierIntegrationSchema>;

// ---------------------------------------------------------------------------------------------
// The choice a person makes on the dossier's "Integraties" tab (form, server action, REST API).

/** The five markings of the seed, one per option kind. */
export const OPTION_KINDS = ["connection", "email_standard", "email_individual", "free_email", "none"] as const;
export type IntegrationOptionKind = (typeof OPTION_KINDS)[number];
export type IntegrationMarking = "green" | "yellow" | "orange" | "blue" | "red";

/** Addresses per category as typed; the service checks them with lib/packages/email-addresses. */
const addressesFieldSchema = addressesInputSchema.default({});

const packageIdInputSchema = z.string({ error: "integrations.errors.packageRequired" }).trim().min(1).max(100);

export const integrationChoiceSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({
      kind: z.literal("connection"),
      // Checked against the portal's connections by the service: unknown, malformed or another
      // portal's id are all "not found".
      connectionId: z.string().max(100),
      /** The connector's dossier fields as typed (strings from a form, or JSON from the API). */
      settings: z.record(z.string(), z.unknown()).default({}),
    }),
    z.object({
      kind: z.literal("email_standard"),
      packageId: packageIdInputSchema,
      inputs: z.record(z.string(), z.string().max(200)).default({}),
      /** Only for packages without a public address rule ("ask" rules). */
      addresses: addressesFieldSchema,
    }),
    z.object({ kind: z.literal("email_individual"), packageId: packageIdInputSchema, addresses: addressesFieldSchema }),
    z.object({
      kind: z.literal("free_email"),
      packageName: z
        .string()
        .trim()
        .max(100, "integrations.errors.packageNameTooLong")
        .optional()
        .transform((value) => value || undefined),
      addresses: addressesFieldSchema,
    }),
    z.object({ kind: z.literal("none") }),
  ],
  { error: "integrations.errors.kindRequired" },
);

export type IntegrationChoiceInput = z.input<typeof integrationChoiceSchema>;
export type IntegrationChoice = z.output<typeof integrationChoiceSchema>;
