"use server";

import { signOut } from "@/lib/auth/auth";

/** The header's sign-out button. */
export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/sign-in" });
}
