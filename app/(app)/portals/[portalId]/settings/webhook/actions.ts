"use server";

import { parseInput } from "@/lib/actions/parse";
import type { ActionResult } from "@/lib/actions/result";
import { runAction } from "@/lib/actions/run-action";
import { revealRecognitionSecretSchema } from "@/lib/recognition/schemas";
import { getRecognitionWebhookInfo } from "@/lib/recognition/secret";

/**
 * The recognition webhook secret, for an admin who pressed "Show": the page itself never puts it in
 * the HTML. Admins only (lib/recognition/secret.ts decides); null when it comes from the environment.
 */
export async function revealRecognitionSecretAction(
  portalId: string,
): Promise<ActionResult<{ secret: string | null }>> {
  return runAction("revealRecognitionSecret", async (actor) => {
    const input = parseInput(revealRecognitionSecretSchema, { portalId });
    return { secret: getRecognitionWebhookInfo(actor, input.portalId).secret };
  });
}
