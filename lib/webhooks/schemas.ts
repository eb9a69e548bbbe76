import { z } from "zod";
import { visibleTextSchema } from "@/lib/text/visible";
import { subscribableEventTypeSchema } from "./events";
import { endpointUrlSchema } from "./url";

/*
 * The inputs of the webhook services, shared by the settings page's actions and the REST
 * operations (lib/api/operations/webhooks.ts). Messages are keys under "errors".
 */

export const ENDPOINT_DESCRIPTION_MAX_LENGTH = 200;

const eventTypesSchema = z
  .array(subscribableEventTypeSchema, { error: "webhookEvents.required" })
  .min(1, "webhookEvents.required")
  .transform((types) => [...new Set(types)]);

const descriptionSchema = visibleTextSchema().max(ENDPOINT_DESCRIPTION_MAX_LENGTH, "webhookDescription.tooLong");

export const createEndpointSchema = z.object({
  url: endpointUrlSchema,
  description: descriptionSchema.default(""),
  eventTypes: eventTypesSchema,
});
export type CreateEndpointInput = z.input<typeof createEndpointSchema>;

/** Any of the fields; `enabled` switches the endpoint on or off by hand. */
export const updateEndpointSchema = z.object({
  url: endpointUrlSchema.optional(),
  description: descriptionSchema.optional(),
  eventTypes: eventTypesSchema.optional(),
  enabled: z.boolean().optional(),
});
export type UpdateEndpointInput = z.input<typeof updateEndpointSchema>;

export const DELIVERY_PAGE_SIZE_DEFAULT = 25;
export const DELIVERY_PAGE_SIZE_MAX = 100;

export const listDeliveriesSchema = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(DELIVERY_PAGE_SIZE_MAX).default(DELIVERY_PAGE_SIZE_DEFAULT),
});
export type ListDeliveriesInput = z.input<typeof listDeliveriesSchema>;

/** Ids from a form or a URL; a malformed one is "not found", never a database error. */
export const webhookIdSchema = z.guid();
