import "server-only";
import { randomUUID } from "node:crypto";
import { unstable_rethrow } from "next/navigation";
import type { Actor } from "@/lib/auth/actor";
import { requireActor } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { type ActionFailure, type ActionResult, GENERIC_ERROR_KEY } from "./result";

type UserActor = Extract<Actor, { kind: "user" }>;

/**
 * Maps a thrown error to what the client may see. Application errors keep their code and
 * message key; anything else is logged with the action name and a request id, and the client gets
 * the generic key only (never error.message: it may carry SQL, paths or vendor text).
 */
export function toActionFailure(actionName: string, error: unknown): ActionFailure {
  if (isAppError(error)) {
    return {
      ok: false,
      error: {
        code: error.code,
        messageKey: error.messageKey,
        ...(error.messageValues ? { messageValues: error.messageValues } : {}),
      },
      ...(error.fieldErrors ? { fieldErrors: error.fieldErrors } : {}),
    };
  }
  const requestId = randomUUID();
  console.error(`[action ${actionName}] failed (request ${requestId})`, error);
  return { ok: false, error: { code: "internal", messageKey: GENERIC_ERROR_KEY } };
}

/**
 * The one wrapper for server actions: resolves the signed-in actor, runs the body (parse →
 * service → revalidate), and maps errors. Next's own control flow (redirect, notFound) passes
 * through untouched.
 *
 * ```ts
 * export async function createThingAction(_prev: State, formData: FormData) {
 *   return runAction("createThing", async (actor) => {
 *     const input = parseInput(createThingSchema, Object.fromEntries(formData));
 *     const id = await createThing(await getDb(), actor, input);
 *     revalidatePath("/things");
 *     return { id };
 *   });
 * }
 * ```
 */
export async function runAction<T extends object>(
  actionName: string,
  body: (actor: UserActor) => Promise<T>,
): Promise<ActionResult<T>> {
  try {
    const actor = await requireActor();
    const value = await body(actor);
    return { ok: true, ...value };
  } catch (error) {
    unstable_rethrow(error);
    return toActionFailure(actionName, error);
  }
}

/**
 * runAction for the few actions anonymous visitors use by design (an office signing itself up):
 * no actor, the same error mapping. The service it calls does its own gatekeeping (there:
 * KOPPEL_SIGNUP and the rate limits).
 */
export async function runAnonymousAction<T extends object>(
  actionName: string,
  body: () => Promise<T>,
): Promise<ActionResult<T>> {
  try {
    const value = await body();
    return { ok: true, ...value };
  } catch (error) {
    unstable_rethrow(error);
    return toActionFailure(actionName, error);
  }
}
