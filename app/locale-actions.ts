"use server";

import { revalidatePath } from "next/cache";
import { cookies } from "next/headers";
import { z } from "zod";
import { getDb } from "@/db";
import { getSessionUserId } from "@/lib/auth/session";
import { LOCALE_COOKIE, LOCALES } from "@/lib/i18n/config";
import { setUserLocale } from "@/lib/users/locale";

const localeSchema = z.object({ locale: z.enum(LOCALES) });

/** Language switch: stored on the user when signed in, and in a cookie for the sign-in page. */
export async function setLocaleAction(formData: FormData): Promise<void> {
  const parsed = localeSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return;
  const { locale } = parsed.data;
  (await cookies()).set(LOCALE_COOKIE, locale, { path: "/", maxAge: 365 * 24 * 60 * 60, sameSite: "lax" });
  const userId = await getSessionUserId();
  if (userId) await setUserLocale(await getDb(), userId, locale);
  revalidatePath("/", "layout");
}
