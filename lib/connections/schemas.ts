import { z } from "zod";
import { isPackageId } from "@/lib/packages/catalog";
import { visibleTextSchema } from "@/lib/text/visible";

// Input of the connection services, shared by the page's actions and (later) /api/v1. Messages are
// keys the connections UI translates (connections.errors.*, then the common "errors" namespace).
// `settings` and `secrets` are checked here only for their shape; their fields are validated by
// the connector's own schemas in lib/connections/service.ts.

/** Channels with a portal connection; e-mail needs no portal step. */
export const CONNECTION_CHANNELS = ["api", "ftp"] as const;
export type ConnectionChannel = (typeof CONNECTION_CHANNELS)[number];

export const connectionIdSchema = z.uuid({ error: "notFound" });

export const connectionLabelSchema = visibleTextSchema({ error: "labelRequired" })
  .min(1, "labelRequired")
  .max(100, "labelTooLong");

/** Field values as a form or JSON client sends them; coerced and validated per connector. */
const valuesSchema = z.record(z.string(), z.unknown(), { error: "invalid" });

export const createConnectionSchema = z.object({
  packageId: z.string({ error: "packageUnknown" }).refine(isPackageId, "packageUnknown"),
  channel: z.enum(CONNECTION_CHANNELS, { error: "channelUnsupported" }),
  label: connectionLabelSchema,
  settings: valuesSchema.default({}),
  /** Credentials; blank fields count as not given. */
  secrets: valuesSchema.default({}),
});
export type CreateConnectionInput = z.input<typeof createConnectionSchema>;

/**
 * Absent label or settings keep what is stored; `settings` when given replaces all settings.
 * A secret field that is absent or blank keeps the stored value; a filled one replaces it.
 */
export const updateConnectionSchema = z.object({
  label: connectionLabelSchema.optional(),
  settings: valuesSchema.optional(),
  secrets: valuesSchema.optional(),
});
export type UpdateConnectionInput = z.input<typeof updateConnectionSchema>;

/** A connection of a portal, as a page names it (both ids are re-checked by the service). */
export const connectionRefSchema = z.object({
  portalId: z.uuid({ error: "notFound" }),
  connectionId: connectionIdSchema,
});

export const setConnectionDisabledSchema = connectionRefSchema.extend({
  disabled: z.boolean({ error: "invalid" }),
});

export const testConnectionSchema = connectionRefSchema;
