"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import { parseInput } from "@/lib/actions/parse";
import type { ActionResult } from "@/lib/actions/result";
import { runAction } from "@/lib/actions/run-action";
import { apiKeyPortalSchema, apiKeyRefSchema } from "@/lib/api-keys/schemas";
import { type ApiKeyStatus, createApiKey, revokeApiKey } from "@/lib/api-keys/service";

// Parse → service → revalidate. Who may manage keys is decided in lib/api-keys/service.ts, never
// here: every export below is a public endpoint. The key's own fields are parsed by the service,
// after it has checked the actor, with lib/api-keys/schemas.ts.

/** What the form posted, handed back on failure so it can refill itself (React resets forms). */
export type NewApiKeyValues = { name: string; role: string; scopes: string[]; expiresOn: string };

/** The plain key travels to the browser in this answer only; the page never shows it again. */
export type CreateApiKeyState =
  | (ActionResult<{ key: string; keyId: string; name: string }> & { values?: NewApiKeyValues })
  | null;

const text = (value: FormDataEntryValue | null) => (typeof value === "string" ? value : "");

function keysPage(portalId: string): string {
  return `/portals/${portalId}/settings/api-keys`;
}

/** Takes the form only (no previous state), so an earlier answer's key is never posted back. */
export async function createApiKeyAction(formData: FormData): Promise<CreateApiKeyState> {
  const values: NewApiKeyValues = {
    name: text(formData.get("name")),
    role: text(formData.get("role")),
    scopes: formData.getAll("scopes").map(text),
    expiresOn: text(formData.get("expiresOn")),
  };
  const result = await runAction("createApiKey", async (actor) => {
    const { portalId } = parseInput(apiKeyPortalSchema, { portalId: text(formData.get("portalId")) });
    const created = await createApiKey(await getDb(), actor, portalId, values);
    revalidatePath(keysPage(portalId));
    return { key: created.key, keyId: created.summary.id, name: created.summary.name };
  });
  return result.ok ? result : { ...result, values };
}

export async function revokeApiKeyAction(
  portalId: string,
  keyId: string,
): Promise<ActionResult<{ status: ApiKeyStatus }>> {
  return runAction("revokeApiKey", async (actor) => {
    const ref = parseInput(apiKeyRefSchema, { portalId, keyId });
    const summary = await revokeApiKey(await getDb(), actor, ref.portalId, ref.keyId);
    revalidatePath(keysPage(ref.portalId));
    return { status: summary.status };
  });
}
