import type { AppErrorCode } from "@/lib/errors";

/**
 * What every server action returns. `messageKey` and the `fieldErrors` entries are keys under the
 * "errors" i18n namespace; the client translates them (components/ui/use-error-message.ts).
 * Plain types only, so client components can import them.
 */
export type ActionError = {
  code: AppErrorCode | "internal";
  messageKey: string;
  /** Values for the message's placeholders ("wait {minutes} minutes"). */
  messageValues?: Record<string, string | number>;
};

export type ActionFailure = { ok: false; error: ActionError; fieldErrors?: Record<string, string[]> };

export type ActionResult<T extends object = object> = ({ ok: true } & T) | ActionFailure;

/** The key shown when nothing more specific is known. */
export const GENERIC_ERROR_KEY = "generic";
