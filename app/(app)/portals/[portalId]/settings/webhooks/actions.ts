"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { parseInput } from "@/lib/actions/parse";
import type { ActionResult } from "@/lib/actions/result";
import { runAction } from "@/lib/actions/run-action";
import { replayDelivery, sendTestEvent } from "@/lib/webhooks/deliveries";
import {
  createEndpoint,
  deleteEndpoint,
  revealEndpointSecret,
  rotateEndpointSecret,
  updateEndpoint,
} from "@/lib/webhooks/endpoints";
import { createEndpointSchema, updateEndpointSchema, webhookIdSchema } from "@/lib/webhooks/schemas";

/*
 * The webhooks settings pages' actions: parse, call one lib/webhooks service with the signed-in
 * actor (which decides who may: the office's admins), revalidate. Ids are checked there against
 * the actor's office; the portal id here only says which pages to refresh.
 */

const pathsOf = (portalId: string, endpointId?: string) => {
  revalidatePath(`/portals/${portalId}/settings/webhooks`);
  if (endpointId) revalidatePath(`/portals/${portalId}/settings/webhooks/${endpointId}`);
};

export type EndpointFormValues = { url: string; description: string; eventTypes: string[] };

/** The form's state: the result, plus on failure what the user typed (React resets the form). */
export type SaveEndpointState =
  | (ActionResult<{ endpointId: string; isNew: boolean }> & { values?: EndpointFormValues })
  | null;

const text = (value: FormDataEntryValue | null) => (typeof value === "string" ? value : "");

/** Adds an endpoint (no endpointId in the form) or saves an existing one's address, description and events. */
export async function saveWebhookEndpointAction(
  _previous: SaveEndpointState,
  formData: FormData,
): Promise<SaveEndpointState> {
  const values: EndpointFormValues = {
    url: text(formData.get("url")),
    description: text(formData.get("description")),
    eventTypes: formData.getAll("eventTypes").filter((value): value is string => typeof value === "string"),
  };
  const endpointId = text(formData.get("endpointId"));
  const result = await runAction("saveWebhookEndpoint", async (actor) => {
    const db = await getDb();
    const saved = endpointId
      ? await updateEndpoint(db, actor, endpointId, parseInput(updateEndpointSchema, values))
      : await createEndpoint(db, actor, text(formData.get("portalId")), parseInput(createEndpointSchema, values));
    pathsOf(saved.portalId, saved.id);
    return { endpointId: saved.id, isNew: !endpointId };
  });
  return result.ok ? result : { ...result, values };
}

const endpointInputSchema = z.object({ endpointId: webhookIdSchema });

export async function setWebhookEndpointEnabledAction(input: {
  endpointId: string;
  enabled: boolean;
}): Promise<ActionResult<{ isEnabled: boolean }>> {
  return runAction("setWebhookEndpointEnabled", async (actor) => {
    const { endpointId, enabled } = parseInput(endpointInputSchema.extend({ enabled: z.boolean() }), input);
    const saved = await updateEndpoint(await getDb(), actor, endpointId, { enabled });
    pathsOf(saved.portalId, saved.id);
    return { isEnabled: saved.status === "active" };
  });
}

/** The secret, for an admin who pressed "Show": the page itself never puts it in the HTML. */
export async function revealWebhookSecretAction(input: {
  endpointId: string;
}): Promise<ActionResult<{ secret: string }>> {
  return runAction("revealWebhookSecret", async (actor) => {
    const { endpointId } = parseInput(endpointInputSchema, input);
    return revealEndpointSecret(await getDb(), actor, endpointId);
  });
}

export async function rotateWebhookSecretAction(input: { endpointId: string }): Promise<ActionResult> {
  return runAction("rotateWebhookSecret", async (actor) => {
    const { endpointId } = parseInput(endpointInputSchema, input);
    const saved = await rotateEndpointSecret(await getDb(), actor, endpointId);
    pathsOf(saved.portalId, saved.id);
    return {};
  });
}

export async function sendWebhookTestAction(input: {
  endpointId: string;
}): Promise<ActionResult<{ deliveryId: string }>> {
  return runAction("sendWebhookTest", async (actor) => {
    const { endpointId } = parseInput(endpointInputSchema, input);
    const sent = await sendTestEvent(await getDb(), actor, endpointId);
    pathsOf(sent.portalId, sent.endpointId);
    return { deliveryId: sent.id };
  });
}

export async function deleteWebhookEndpointAction(input: {
  endpointId: string;
}): Promise<ActionResult<{ portalId: string }>> {
  return runAction("deleteWebhookEndpoint", async (actor) => {
    const { endpointId } = parseInput(endpointInputSchema, input);
    const deleted = await deleteEndpoint(await getDb(), actor, endpointId);
    pathsOf(deleted.portalId);
    return { portalId: deleted.portalId };
  });
}

export async function replayWebhookDeliveryAction(input: { deliveryId: string }): Promise<ActionResult> {
  return runAction("replayWebhookDelivery", async (actor) => {
    const { deliveryId } = parseInput(z.object({ deliveryId: webhookIdSchema }), input);
    const replayed = await replayDelivery(await getDb(), actor, deliveryId);
    pathsOf(replayed.portalId, replayed.endpointId);
    return {};
  });
}
