import type { Channel } from "@/lib/packages/catalog";

/**
 * The one place the help's addresses are built (the in-app "?" links, the articles' own links and
 * the tests that check every link resolves). Pure: client components import it too.
 *
 * The help follows the reader's language, so no address names one: /help/<slug>#<anchor>.
 * The anchors are the content contract's (notes/help-spec.md): the articles give their headings
 * these ids in all three languages.
 */

/** The help's home. */
export const HELP_HOME = "/help";

/** An article, optionally at one section. */
export function helpHref(slug: string, anchor?: string): string {
  return anchor ? `${HELP_HOME}/${slug}#${anchor}` : `${HELP_HOME}/${slug}`;
}

/** A package's article (slug = the catalog id), optionally at one of its sections. */
export function packageHelpHref(packageId: string, anchor?: string): string {
  return helpHref(packageId, anchor);
}

/** What a failure group of the failure queue means and what to do (lib/failures/groups.ts). */
export function failureGroupHelpHref(group: string): string {
  return helpHref("failure-queue", `group-${group}`);
}

/** Why a send was refused (lib/documents/refusals.ts), or why auto-send left it ("auto_send_off"). */
export function refusalHelpHref(code: string): string {
  return helpHref("sending", `refusal-${code}`);
}

/**
 * One field of a connection form: an API package's own article explains its fields; every FTP
 * package shares the one FTP form, explained in send-by-ftp.
 */
export function connectionFieldHelpHref(packageId: string, channel: Channel, field: string): string {
  return channel === "ftp" ? helpHref("send-by-ftp", `field-${field}`) : packageHelpHref(packageId, `field-${field}`);
}

/** The mail addresses of a dossier's integration with a package (the "addresses" inputs). */
export function addressesHelpHref(packageId: string): string {
  return packageHelpHref(packageId, "addresses");
}

/** A developer page (docs/integrations/<id>.md, English). */
export function developerHelpHref(id: string): string {
  return `${HELP_HOME}/developers/${id}`;
}
