"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AuthError } from "next-auth";
import { z } from "zod";
import { getDb } from "@/db";
import { signIn } from "@/lib/auth/auth";
import { AUTH_PAGES } from "@/lib/auth/auth.config";
import { isDemoUserEmail } from "@/lib/auth/demo-users";
import { isDemoEnabled } from "@/lib/env";
import { RateLimitedError } from "@/lib/errors";
import { clientAddressOf } from "@/lib/http/client-address";
import { limitPeopleRequest } from "@/lib/rate-limit/people";

export type SignInState = {
  error?: "invalidEmail" | "demoDisabled" | "signInFailed" | "rateLimited";
  /** With "rateLimited": how long to wait. */
  minutes?: number;
};

const emailSchema = z.object({ email: z.string().trim().toLowerCase().email(), callbackUrl: z.string().optional() });

/** Only same-site paths; anything else falls back to the landing page. */
function safeCallback(value: string | undefined): string {
  return value?.startsWith("/") && !value.startsWith("//") ? value : "/";
}

export async function requestMagicLinkAction(_prev: SignInState, formData: FormData): Promise<SignInState> {
  const parsed = emailSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return { error: "invalidEmail" };
  try {
    // Counted whether or not the address has an account, so the answer reveals nothing.
    await limitPeopleRequest(await getDb(), {
      emails: [parsed.data.email],
      clientAddress: clientAddressOf(await headers()),
    });
  } catch (error) {
    if (error instanceof RateLimitedError)
      return { error: "rateLimited", minutes: Math.ceil(error.retryAfterSeconds / 60) };
    throw error;
  }
  try {
    await signIn("email", {
      email: parsed.data.email,
      redirectTo: safeCallback(parsed.data.callbackUrl),
      redirect: false,
    });
  } catch (error) {
    if (error instanceof AuthError) return { error: "signInFailed" };
    throw error;
  }
  // Our own page rather than Auth.js' redirect through /api/auth/verify-request, which the
  // client router cannot follow as a page.
  redirect(AUTH_PAGES.verifyRequest);
}

export async function demoSignInAction(_prev: SignInState, formData: FormData): Promise<SignInState> {
  if (!isDemoEnabled()) return { error: "demoDisabled" };
  const parsed = emailSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success || !isDemoUserEmail(parsed.data.email)) return { error: "invalidEmail" };
  try {
    await signIn("demo", { email: parsed.data.email, redirectTo: safeCallback(parsed.data.callbackUrl) });
  } catch (error) {
    if (error instanceof AuthError) return { error: "signInFailed" };
    throw error;
  }
  return {};
}
