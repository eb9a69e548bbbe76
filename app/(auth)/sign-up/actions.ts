"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/db";
import { parseInput } from "@/lib/actions/parse";
import type { ActionResult } from "@/lib/actions/result";
import { runAnonymousAction } from "@/lib/actions/run-action";
import { clientAddressOf } from "@/lib/http/client-address";
import { officeSignUpSchema } from "@/lib/invitations/schemas";
import { requestOfficeSignUp } from "@/lib/invitations/sign-up";

export type SignUpValues = {
  officeName: string;
  companyNumber: string;
  personName: string;
  email: string;
  locale: string;
};

/**
 * The form's state when it stays on the page: refused (why, per field), or recorded but its
 * confirmation mail could not go out (`isMailed: false`); with what the person typed, since React
 * resets the form. A mailed sign-up goes on to the check-email page instead.
 */
export type SignUpState = (ActionResult<{ isMailed: false }> & { values: SignUpValues }) | null;

const text = (value: FormDataEntryValue | null) => (typeof value === "string" ? value : "");

/**
 * /sign-up, for anonymous visitors by design: requestOfficeSignUp decides whether this sign-up
 * may happen (KOPPEL_SIGNUP, the invite link under "invite", the rate limits) and mails the
 * confirmation link; nothing is created before that link is followed.
 */
export async function requestOfficeSignUpAction(_previous: SignUpState, formData: FormData): Promise<SignUpState> {
  const values: SignUpValues = {
    officeName: text(formData.get("officeName")),
    companyNumber: text(formData.get("companyNumber")),
    personName: text(formData.get("personName")),
    email: text(formData.get("email")),
    locale: text(formData.get("locale")),
  };
  const inviteToken = text(formData.get("inviteToken"));
  const result = await runAnonymousAction("requestOfficeSignUp", async () => {
    const input = parseInput(officeSignUpSchema, { ...values, ...(inviteToken ? { inviteToken } : {}) });
    return requestOfficeSignUp(await getDb(), input, { clientAddress: clientAddressOf(await headers()) });
  });
  if (!result.ok) return { ...result, values };
  if (!result.isMailed) return { ok: true, isMailed: false, values };
  redirect("/sign-up/check-email");
}
