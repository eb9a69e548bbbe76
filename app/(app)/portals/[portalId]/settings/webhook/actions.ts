"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import { parseInput } from "@/lib/actions/parse";
import type { ActionResult } from "@/lib/actions/result";
import { runAction } from "@/lib/actions/run-action";
import { officeRecognitionSecretSchema } from "@/lib/recognition/schemas";
import { revealRecognitionSecret, rotateRecognitionSecret } from "@/lib/recognition/secret";

/**
 * The office's current recognition secret, for an admin who pressed "Show": the page itself never
 * puts it in the HTML. Admins only (lib/recognition/secret.ts decides).
 */
export async function revealRecognitionSecretAction(portalId: string): Promise<ActionResult<{ secret: string }>> {
  return runAction("revealRecognitionSecret", async (actor) => {
    const input = parseInput(officeRecognitionSecretSchema, { portalId });
    return revealRecognitionSecret(await getDb(), actor, input.portalId);
  });
}

/**
 * A new secret for the office; the previous one keeps verifying for 24 hours. Admins only
 * (lib/recognition/secret.ts decides). Answers dates only, never a secret.
 */
export async function rotateRecognitionSecretAction(
  portalId: string,
): Promise<ActionResult<{ createdAt: string; previousValidUntil: string | null }>> {
  return runAction("rotateRecognitionSecret", async (actor) => {
    const input = parseInput(officeRecognitionSecretSchema, { portalId });
    const settings = await rotateRecognitionSecret(await getDb(), actor, input.portalId);
    revalidatePath(`/portals/${input.portalId}/settings/webhook`);
    return {
      createdAt: settings.current.createdAt.toISOString(),
      previousValidUntil: settings.previousValidUntil?.toISOString() ?? null,
    };
  });
}
