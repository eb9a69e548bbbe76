import "server-only";
import { redirect } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/db";
import type { Actor } from "./actor";
import { auth } from "./auth";
import { loadUserActor } from "./load-actor";

export const getSessionUserId = cache(async (): Promise<string | null> => {
  const session = await auth();
  return session?.user?.id ?? null;
});

/** The signed-in user's actor, or null for anonymous visitors. */
export const getActor = cache(async (): Promise<Actor | null> => {
  const userId = await getSessionUserId();
  if (!userId) return null;
  return loadUserActor(await getDb(), userId);
});

/** For pages and actions behind sign-in: anonymous visitors go to the sign-in page. */
export async function requireActor(): Promise<Extract<Actor, { kind: "user" }>> {
  const actor = await getActor();
  if (actor?.kind !== "user") redirect("/sign-in");
  return actor;
}
