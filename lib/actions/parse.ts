import type { z } from "zod";
import { ValidationError } from "@/lib/errors";

/** Zod issues → per-field message keys (the schemas use keys under "errors" as their messages). */
export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join(".") || "_form";
    // Zod's own defaults ("Invalid input") are not keys; fall back to the generic one.
    const key = /^[a-zA-Z][\w.]*$/.test(issue.message) ? issue.message : "invalid";
    const list = fieldErrors[field] ?? [];
    if (!list.includes(key)) list.push(key);
    fieldErrors[field] = list;
  }
  return fieldErrors;
}

/**
 * Parses `input` with the shared zod schema; a failure becomes a ValidationError whose field
 * errors the form shows inline.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldErrorsOf(parsed.error));
  return parsed.data;
}
