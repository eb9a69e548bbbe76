"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/db";
import { runAfterResponse } from "@/lib/actions/after-response";
import { parseInput } from "@/lib/actions/parse";
import type { ActionFailure, ActionResult } from "@/lib/actions/result";
import { runAction } from "@/lib/actions/run-action";
import type { ConnectionStatus } from "@/lib/connections/check";
import { connectionValuesFromFormData } from "@/lib/connections/form";
import { runAfterConnectionSaved } from "@/lib/connections/hooks";
import { startAuthorization } from "@/lib/connections/oauth";
import { checkConnectionStatusNow, checkStatusNowSchema } from "@/lib/connections/read-back";
import {
  connectionRefSchema,
  createConnectionSchema,
  setConnectionDisabledSchema,
  testConnectionSchema,
  updateConnectionSchema,
} from "@/lib/connections/schemas";
import { createConnection, setConnectionDisabled, testConnection, updateConnection } from "@/lib/connections/service";
import type { ReadBackResult } from "@/lib/read-back/service";

// Parse → service → revalidate. Who may do what is decided in lib/connections/service.ts, never
// here: every export below is a public endpoint. Results carry ids and statuses only, never a
// secret or a settings blob.

/** The portal's pages: the connections list, and the overview whose dossiers show their health. */
function revalidatePortal(portalId: string) {
  revalidatePath(`/portals/${portalId}`, "layout");
}

export async function createConnectionAction(formData: FormData): Promise<ActionResult<{ connectionId: string }>> {
  return runAction("createConnection", async (actor) => {
    const { fields, settings, secrets } = connectionValuesFromFormData(formData);
    const input = parseInput(createConnectionSchema, { ...fields, settings, secrets });
    const connection = await createConnection(await getDb(), actor, fields.portalId ?? "", input);
    revalidatePortal(fields.portalId ?? "");
    return { connectionId: connection.id };
  });
}

export async function updateConnectionAction(formData: FormData): Promise<ActionResult<{ connectionId: string }>> {
  return runAction("updateConnection", async (actor) => {
    const { fields, settings, secrets } = connectionValuesFromFormData(formData);
    const ref = parseInput(connectionRefSchema, fields);
    const input = parseInput(updateConnectionSchema, { label: fields.label, settings, secrets });
    const db = await getDb();
    const connection = await updateConnection(db, actor, ref.portalId, ref.connectionId, input);
    revalidatePortal(ref.portalId);
    // The connector may act on the change (Exact Online: a webhook secret typed now lets the
    // divisions mapped before be subscribed); after the answer.
    runAfterResponse("connection-saved-hooks", () =>
      runAfterConnectionSaved(db, { portalId: ref.portalId, connectionId: connection.id }),
    );
    return { connectionId: connection.id };
  });
}

export async function setConnectionDisabledAction(
  portalId: string,
  connectionId: string,
  disabled: boolean,
): Promise<ActionResult<{ status: ConnectionStatus }>> {
  return runAction("setConnectionDisabled", async (actor) => {
    const input = parseInput(setConnectionDisabledSchema, { portalId, connectionId, disabled });
    const connection = await setConnectionDisabled(
      await getDb(),
      actor,
      input.portalId,
      input.connectionId,
      input.disabled,
    );
    revalidatePortal(input.portalId);
    return { status: connection.status };
  });
}

export async function testConnectionAction(
  portalId: string,
  connectionId: string,
): Promise<ActionResult<{ status: ConnectionStatus; errorCode: string | null }>> {
  return runAction("testConnection", async (actor) => {
    const input = parseInput(testConnectionSchema, { portalId, connectionId });
    const result = await testConnection(await getDb(), actor, input.portalId, input.connectionId);
    revalidatePortal(input.portalId);
    return { status: result.status, errorCode: result.errorCode };
  });
}

/** "Check status now" (admins and accountants): the connection's read-back, at once and bounded. */
export async function checkStatusNowAction(
  portalId: string,
  connectionId: string,
): Promise<ActionResult<{ readBack: ReadBackResult }>> {
  return runAction("checkStatusNow", async (actor) => {
    const input = parseInput(checkStatusNowSchema, { portalId, connectionId });
    const readBack = await checkConnectionStatusNow(await getDb(), actor, input.portalId, input.connectionId);
    // Documents may have moved to Rejected or Imported: the portal's pages show them.
    revalidatePortal(input.portalId);
    return { readBack };
  });
}

/** This request's origin as the browser sees it (the OAuth callback is built on it unless AUTH_URL is set). */
async function requestOrigin(): Promise<string> {
  const list = await headers();
  const origin = list.get("origin");
  if (origin && origin !== "null") return origin;
  const host = list.get("x-forwarded-host") ?? list.get("host") ?? "localhost";
  return `${list.get("x-forwarded-proto") ?? "http"}://${host}`;
}

/**
 * "Connect with <package>" / "Reconnect": starts the package's authorization and sends the
 * browser there. Returns only when it could not start (no rights, no OAuth app configured…).
 */
export async function startAuthorizationAction(
  _previous: ActionFailure | null,
  formData: FormData,
): Promise<ActionFailure | null> {
  const result = await runAction("startAuthorization", async (actor) => {
    const ref = parseInput(connectionRefSchema, Object.fromEntries(formData));
    return startAuthorization(await getDb(), actor, ref.portalId, ref.connectionId, { origin: await requestOrigin() });
  });
  if (!result.ok) return result;
  redirect(result.url);
}
