import type { IntegrationOptionKind } from "./schemas";
import type { StoredIntegrationRow } from "./status";

/**
 * A stable key per option, used in URLs (`?option=email_standard:yuki`) and to mark the current
 * one: `connection:<connection id>`, `email_standard:<package>`, `email_individual:<package>`,
 * `free_email`, `none`.
 */
export function optionKey(kind: IntegrationOptionKind, id?: string): string {
  return id ? `${kind}:${id}` : kind;
}

/** The option a stored integration corresponds to (null when nothing is stored). */
export function optionKeyOfStored(row: StoredIntegrationRow | null): string | null {
  if (!row) return null;
  switch (row.kind) {
    case "connection":
      return row.connectionId ? optionKey("connection", row.connectionId) : null;
    case "email": {
      const settings = row.settings as { addressMode?: unknown } | null;
      const mode = settings?.addressMode === "individual" ? "email_individual" : "email_standard";
      return row.packageId ? optionKey(mode, row.packageId) : null;
    }
    case "free_email":
      return optionKey("free_email");
    case "none":
      return optionKey("none");
  }
}
