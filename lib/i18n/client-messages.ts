import type { NestedKeyOf } from "next-intl";
import type { Messages } from "./messages";

/** A namespace or any deeper key path of the catalog ("documents", "documents.types"). */
export type MessagePath = NestedKeyOf<Messages>;

/**
 * The messages each part of the app hands to the browser. Server components translate on the
 * server and send text; only client components read messages in the browser, and whatever a
 * client provider holds is serialised into every HTML answer under it (the whole catalog was about
 * 95 KB of JSON per page). So each route file that renders client components wraps them in
 * <ClientMessages area="…"> (components/ui/client-messages.tsx) with one of these lists, and
 * nothing else: a nested provider replaces its parent's messages, it does not add to them.
 *
 * tests/unit/lib/i18n/client-messages.test.ts reads every client component (and what it imports)
 * under each route file, and fails when one looks up a key its area does not hold here, or when a
 * path here is no longer looked up by any client component of its area.
 */
export const CLIENT_MESSAGE_AREAS = {
  /**
   * Everywhere (app/layout.tsx): the error boundary below the root layout (app/error.tsx). Through
   * components/ui/root-client-messages.tsx, not next-intl: its messages are plain text with arguments.
   */
  root: ["errorPages.error", "errorPages.databaseUnavailable"],
  signIn: ["auth.demo", "auth.signIn.emailLabel", "auth.signIn.errors", "auth.signIn.sendLink"],
  signUp: ["common.language.names", "errors", "signUp"],
  portalOverview: ["dossier.locale", "errors", "portal.create"],
  portalFailures: [
    "connectors.errors",
    "dispatch.autoSendSkipped",
    "dispatch.bounce",
    "dispatch.errors",
    "dispatch.refusals",
    "errors",
    "help.link",
    "failures.groups",
    "failures.retry",
  ],
  portalIntegrations: [
    "connections.actions",
    "connections.add",
    "connections.card.unknownReason",
    "connections.errors",
    "connections.form",
    "connectors.channels",
    "connectors.errors",
    "errors",
    "help.link",
  ],
  apiKeys: [
    "apiKeys.create",
    "apiKeys.created",
    "apiKeys.revoke",
    "apiKeys.roles",
    "apiKeys.scopes",
    "common.copy",
    "errors",
  ],
  members: [
    "common.language.names",
    "errors",
    "invitations.roles",
    "members.invitations",
    "members.invite",
    "members.remove",
    "members.role",
    "members.roles",
  ],
  notifications: ["errors", "portal.digest.settings"],
  recognitionWebhook: ["common.copy", "errors", "recognition.rotate", "recognition.secret"],
  webhooks: ["errors", "webhooks.events", "webhooks.form"],
  webhookEndpoint: [
    "common.copy",
    "errors",
    "webhooks.delete",
    "webhooks.endpoint",
    "webhooks.events",
    "webhooks.form",
    "webhooks.log",
    "webhooks.secret",
    "webhooks.test",
  ],
  share: ["errors", "share.pick.adding"],
  /** The help's search box (app/help/layout.tsx). */
  help: ["help.search"],
  dossierDocuments: [
    "connectors.errors",
    "dispatch.autoSendSkipped",
    "dispatch.bounce",
    "dispatch.errors",
    "dispatch.refusals",
    "documents.actions",
    "documents.columns",
    "documents.dateSource",
    "documents.imported",
    "documents.noReason",
    "documents.noValue",
    "documents.packageReason",
    "documents.reason",
    "documents.recognition.pickType",
    "documents.selection",
    "documents.sendResults",
    "documents.status",
    "documents.tabs",
    "documents.types",
    "documents.upload",
    "dossier.edit",
    "dossier.locale",
    "dossier.settings.autoSend",
    "duplicates.badge",
    "duplicates.openExisting",
    "errors",
    "help.link",
    "sendAll",
  ],
  document: [
    "connectors.errors",
    "dispatch.autoSendSkipped",
    "dispatch.bounce",
    "dispatch.errors",
    "dispatch.refusals",
    "dispatch.tryNow",
    "documents.actions",
    "documents.sendResults",
    "documents.status",
    "documents.types",
    "duplicates",
    "errors",
    "help.link",
    "sendAll.dismiss",
    "sendAll.interrupted",
    "sendAll.queued",
    "sendAll.reasons",
    "sendAll.refusedTitle",
    "sendAll.resultLabel",
  ],
  dossierAccess: [
    "clients.clients.remove",
    "clients.invitations",
    "clients.invite",
    "clients.languages",
    "dossier.edit",
    "dossier.locale",
    "errors",
  ],
  dossierIntegration: [
    "connectors",
    "dispatch.autoSendSkipped",
    "dispatch.bounce",
    "dispatch.errors",
    "dispatch.refusals",
    "dossier.edit",
    "dossier.locale",
    "errors",
    "help.link",
    "integrations",
    "waitingDocuments",
  ],
} as const satisfies Record<string, readonly MessagePath[]>;

export type ClientMessageArea = keyof typeof CLIENT_MESSAGE_AREAS;

type Tree = { [key: string]: unknown };

/** The part of a catalog under the given paths (a path to a single message keeps just that message). */
export function pickMessages(messages: Tree, paths: readonly string[]): Tree {
  const picked: Tree = {};
  for (const keyPath of paths) {
    const segments = keyPath.split(".");
    let from: unknown = messages;
    let into = picked;
    segments.forEach((segment, index) => {
      from = (from as Tree | undefined)?.[segment];
      if (from === undefined) return;
      if (index === segments.length - 1) {
        into[segment] = from;
      } else {
        if (typeof into[segment] !== "object" || into[segment] === null) into[segment] = {};
        into = into[segment] as Tree;
      }
    });
  }
  return picked;
}
