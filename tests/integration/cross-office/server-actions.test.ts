import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { createTranslator } from "next-intl";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import {
  documents,
  dossierIntegrations,
  dossierMembers,
  invitations,
  pendingShares,
  webhookDeliveries,
  webhookEndpoints,
} from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { loadUserActor } from "@/lib/auth/load-actor";
import { MESSAGES } from "@/lib/i18n/messages";
import { newInvitationToken } from "@/lib/invitations/token";
import { revealRecognitionSecret } from "@/lib/recognition/secret";
import { encryptEndpointSecret } from "@/lib/webhooks/endpoints";
import { generateWebhookSecret } from "@/lib/webhooks/signing";
import { insertApiKey } from "../../helpers/api";
import { createTestDb } from "../../helpers/db";
import { insertConnection, insertDocument, insertDossier, insertPortal } from "../../helpers/fixtures";
import { officeRows } from "../../helpers/office-rows";
import { listServerActions } from "../../helpers/server-actions";
import { insertUserActor } from "../lib/connections/oauth-connector";

// Office A's people call every server action of the app with office B's ids (and, where an action
// names both, A's office with B's resource). Each must refuse and leave every row of office B as
// it was. The actions run for real; only the session, the database handle, Next's cache and the
// request's headers and language are stand-ins. The list of actions is read from the source, so a
// new action fails this test until it has its row.
const session = vi.hoisted(() => ({ actor: null as unknown, db: null as unknown }));
vi.mock("@/lib/auth/session", async () => {
  const { redirect } = await import("next/navigation");
  return {
    getActor: async () => session.actor,
    // As lib/auth/session.ts: an anonymous visitor is sent to the sign-in page.
    requireActor: async () => session.actor ?? redirect("/sign-in"),
    getSessionUserId: async () => (session.actor as { userId?: string } | null)?.userId ?? null,
  };
});
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ origin: "https://koppel.example", host: "koppel.example" }),
  cookies: async () => ({ get: () => undefined, set: () => undefined }),
}));
vi.mock("next-intl/server", () => ({
  getTranslations: async (namespace?: string) =>
    createTranslator({ locale: "en", messages: MESSAGES.en, namespace: namespace as never }),
}));

const dossierActions = await import("@/app/(app)/dossiers/[dossierId]/actions");
const integrationActions = await import("@/app/(app)/dossiers/[dossierId]/integration/actions");
const portalActions = await import("@/app/(app)/portals/[portalId]/actions");
const connectionActions = await import("@/app/(app)/portals/[portalId]/integrations/actions");
const failureActions = await import("@/app/(app)/portals/[portalId]/failures/actions");
const webhookActions = await import("@/app/(app)/portals/[portalId]/settings/webhook/actions");
const notificationActions = await import("@/app/(app)/portals/[portalId]/settings/notifications/actions");
const apiKeyActions = await import("@/app/(app)/portals/[portalId]/settings/api-keys/actions");
const outgoingWebhookActions = await import("@/app/(app)/portals/[portalId]/settings/webhooks/actions");
const shareActions = await import("@/app/(app)/share/[shareId]/actions");
const accessActions = await import("@/app/(app)/dossiers/[dossierId]/access/actions");
const memberActions = await import("@/app/(app)/portals/[portalId]/settings/members/actions");
const documentActions = await import("@/app/(app)/dossiers/[dossierId]/documents/[documentId]/actions");

type Ids = {
  portalA: string;
  portalB: string;
  dossierB: string;
  inboxDocumentB: string;
  /** Held as a possible duplicate of inboxDocumentB. */
  heldDocumentB: string;
  sentDocumentB: string;
  archivedDocumentB: string;
  connectionB: string;
  apiKeyB: string;
  webhookEndpointB: string;
  webhookDeliveryB: string;
  /** Files shared by office B's entrepreneur, waiting for a dossier to be picked. */
  pendingShareB: string;
  /** An open invitation of an entrepreneur to dossier B, and dossier B's entrepreneur. */
  invitationB: string;
  entrepreneurB: string;
  /** Office B's admin (a member to lower or remove) and its open invitation of an accountant. */
  memberB: string;
  memberInvitationB: string;
};

/** A call of one action as office A with office B's ids. */
type Call = ((ids: Ids) => Promise<unknown>) & { namesOwnOffice?: true };

/**
 * A call that names office A with office B's resource. A's own role is checked first there, so an
 * accountant may get "forbidden" (an admin action in their own office), which says nothing of B.
 */
function ownOffice(call: (ids: Ids) => Promise<unknown>): Call {
  return Object.assign(call, { namesOwnOffice: true as const });
}

function formOf(values: Record<string, string>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(values)) form.append(name, value);
  return form;
}

/**
 * Actions that touch no office's data: they are listed with the reason, so the enumeration below
 * still accounts for them.
 */
const NOT_TENANT_SCOPED: Record<string, string> = {
  "(auth)/sign-in/actions.ts#requestMagicLinkAction": "asks for a sign-in link for an e-mail address",
  "(auth)/sign-in/actions.ts#demoSignInAction": "signs in a seeded demo user (demo mode only)",
  "(auth)/sign-up/actions.ts#requestOfficeSignUpAction":
    "asks for a new office's confirmation link, for anonymous visitors by design (KOPPEL_SIGNUP, rate-limited; creates nothing until confirmed)",
  "locale-actions.ts#setLocaleAction": "sets the signed-in person's own language",
  "(app)/_components/actions.ts#signOutAction": "signs the person out",
  "(auth)/invitations/[token]/actions.ts#acceptInvitationAction":
    "accepts the invitation its token names, whoever is signed in: the mailed token is the credential (tests/integration/lib/invitations/accept.test.ts)",
  "(auth)/invitations/[token]/actions.ts#switchAccountForInvitationAction":
    "signs the person out and reopens the invitation",
};

const CROSS_OFFICE_CALLS: Record<string, Call[]> = {
  "(app)/dossiers/[dossierId]/actions.ts#sendDocumentsAction": [
    (ids) =>
      dossierActions.sendDocumentsAction({
        dossierId: ids.dossierB,
        documentIds: [ids.inboxDocumentB],
        trigger: "manual",
      }),
  ],
  "(app)/dossiers/[dossierId]/actions.ts#sendAllInTabAction": [
    (ids) => dossierActions.sendAllInTabAction({ dossierId: ids.dossierB, tab: "inbox" }),
    (ids) => dossierActions.sendAllInTabAction({ dossierId: ids.dossierB, tab: "failed" }),
  ],
  "(app)/dossiers/[dossierId]/actions.ts#setDocumentTypeAction": [
    (ids) =>
      dossierActions.setDocumentTypeAction({
        dossierId: ids.dossierB,
        documentId: ids.inboxDocumentB,
        documentType: "sales_invoice",
      }),
  ],
  "(app)/dossiers/[dossierId]/actions.ts#deleteDocumentAction": [
    (ids) => dossierActions.deleteDocumentAction({ dossierId: ids.dossierB, documentId: ids.inboxDocumentB }),
  ],
  "(app)/dossiers/[dossierId]/documents/[documentId]/actions.ts#confirmNotDuplicateAction": [
    (ids) => documentActions.confirmNotDuplicateAction({ dossierId: ids.dossierB, documentId: ids.heldDocumentB }),
  ],
  "(app)/dossiers/[dossierId]/documents/[documentId]/actions.ts#tryNowAction": [
    (ids) => documentActions.tryNowAction({ dossierId: ids.dossierB, documentId: ids.inboxDocumentB }),
  ],
  "(app)/dossiers/[dossierId]/actions.ts#archiveDocumentAction": [
    (ids) => dossierActions.archiveDocumentAction({ dossierId: ids.dossierB, documentId: ids.sentDocumentB }),
  ],
  "(app)/dossiers/[dossierId]/actions.ts#unarchiveDocumentAction": [
    (ids) => dossierActions.unarchiveDocumentAction({ dossierId: ids.dossierB, documentId: ids.archivedDocumentB }),
  ],
  "(app)/dossiers/[dossierId]/actions.ts#setAutoSendAction": [
    (ids) => dossierActions.setAutoSendAction({ dossierId: ids.dossierB, enabled: false }),
  ],
  "(app)/dossiers/[dossierId]/actions.ts#updateDossierDetailsAction": [
    (ids) =>
      dossierActions.updateDossierDetailsAction(
        null,
        formOf({
          dossierId: ids.dossierB,
          name: "Overgenomen",
          companyNumber: "0417497106",
          vatNumber: "",
          locale: "fr",
        }),
      ),
  ],
  "(app)/dossiers/[dossierId]/access/actions.ts#inviteDossierClientsAction": [
    (ids) =>
      accessActions.inviteDossierClientsAction(
        null,
        formOf({ dossierId: ids.dossierB, emails: "inbraak@example.test", locale: "nl" }),
      ),
  ],
  "(app)/dossiers/[dossierId]/access/actions.ts#resendDossierInvitationAction": [
    (ids) => accessActions.resendDossierInvitationAction({ dossierId: ids.dossierB, invitationId: ids.invitationB }),
  ],
  "(app)/dossiers/[dossierId]/access/actions.ts#revokeDossierInvitationAction": [
    (ids) => accessActions.revokeDossierInvitationAction({ dossierId: ids.dossierB, invitationId: ids.invitationB }),
  ],
  "(app)/dossiers/[dossierId]/access/actions.ts#removeDossierClientAction": [
    (ids) => accessActions.removeDossierClientAction({ dossierId: ids.dossierB, userId: ids.entrepreneurB }),
  ],
  "(app)/dossiers/[dossierId]/integration/actions.ts#saveIntegrationAction": [
    (ids) => integrationActions.saveIntegrationAction(null, formOf({ dossierId: ids.dossierB, kind: "none" })),
    (ids) =>
      integrationActions.saveIntegrationAction(
        null,
        formOf({ dossierId: ids.dossierB, kind: "connection", connectionId: ids.connectionB }),
      ),
  ],
  "(app)/dossiers/[dossierId]/integration/actions.ts#sendTestDocumentAction": [
    (ids) => integrationActions.sendTestDocumentAction(null, formOf({ dossierId: ids.dossierB })),
  ],
  "(app)/dossiers/[dossierId]/integration/actions.ts#loadDossierChoicesAction": [
    (ids) => integrationActions.loadDossierChoicesAction(ids.dossierB, ids.connectionB),
  ],
  "(app)/portals/[portalId]/actions.ts#createDossierAction": [
    (ids) =>
      portalActions.createDossierAction(
        null,
        formOf({ portalId: ids.portalB, name: "Inbraak bv", companyNumber: "0417497106", vatNumber: "", locale: "fr" }),
      ),
  ],
  "(app)/portals/[portalId]/integrations/actions.ts#createConnectionAction": [
    (ids) =>
      connectionActions.createConnectionAction(
        formOf({
          portalId: ids.portalB,
          packageId: "expert-m",
          channel: "ftp",
          label: "Inbraak",
          "settings.host": "ftp.example.com",
          "settings.port": "21",
          "settings.security": "explicit",
          "settings.passive": "true",
          "secrets.username": "x",
          "secrets.password": "y",
        }),
      ),
  ],
  "(app)/portals/[portalId]/integrations/actions.ts#updateConnectionAction": [
    (ids) =>
      connectionActions.updateConnectionAction(
        formOf({ portalId: ids.portalB, connectionId: ids.connectionB, label: "Overgenomen" }),
      ),
    ownOffice((ids) =>
      connectionActions.updateConnectionAction(
        formOf({ portalId: ids.portalA, connectionId: ids.connectionB, label: "Overgenomen" }),
      ),
    ),
  ],
  "(app)/portals/[portalId]/integrations/actions.ts#setConnectionDisabledAction": [
    (ids) => connectionActions.setConnectionDisabledAction(ids.portalB, ids.connectionB, true),
    ownOffice((ids) => connectionActions.setConnectionDisabledAction(ids.portalA, ids.connectionB, true)),
  ],
  "(app)/portals/[portalId]/integrations/actions.ts#testConnectionAction": [
    (ids) => connectionActions.testConnectionAction(ids.portalB, ids.connectionB),
    ownOffice((ids) => connectionActions.testConnectionAction(ids.portalA, ids.connectionB)),
  ],
  "(app)/portals/[portalId]/integrations/actions.ts#checkStatusNowAction": [
    (ids) => connectionActions.checkStatusNowAction(ids.portalB, ids.connectionB),
    ownOffice((ids) => connectionActions.checkStatusNowAction(ids.portalA, ids.connectionB)),
  ],
  "(app)/portals/[portalId]/integrations/actions.ts#startAuthorizationAction": [
    (ids) =>
      connectionActions.startAuthorizationAction(
        null,
        formOf({ portalId: ids.portalB, connectionId: ids.connectionB }),
      ),
    ownOffice((ids) =>
      connectionActions.startAuthorizationAction(
        null,
        formOf({ portalId: ids.portalA, connectionId: ids.connectionB }),
      ),
    ),
  ],
  "(app)/portals/[portalId]/failures/actions.ts#retryFailureGroupAction": [
    (ids) => failureActions.retryFailureGroupAction({ portalId: ids.portalB, group: "unreachable" }),
  ],
  "(app)/portals/[portalId]/settings/webhook/actions.ts#revealRecognitionSecretAction": [
    (ids) => webhookActions.revealRecognitionSecretAction(ids.portalB),
  ],
  "(app)/portals/[portalId]/settings/api-keys/actions.ts#createApiKeyAction": [
    (ids) =>
      apiKeyActions.createApiKeyAction(
        formOf({ portalId: ids.portalB, name: "Inbraak", role: "admin", scopes: "documents:read", expiresOn: "" }),
      ),
  ],
  "(app)/portals/[portalId]/settings/api-keys/actions.ts#revokeApiKeyAction": [
    (ids) => apiKeyActions.revokeApiKeyAction(ids.portalB, ids.apiKeyB),
    ownOffice((ids) => apiKeyActions.revokeApiKeyAction(ids.portalA, ids.apiKeyB)),
  ],
  "(app)/portals/[portalId]/settings/webhook/actions.ts#rotateRecognitionSecretAction": [
    (ids) => webhookActions.rotateRecognitionSecretAction(ids.portalB),
  ],
  "(app)/portals/[portalId]/settings/webhooks/actions.ts#saveWebhookEndpointAction": [
    (ids) =>
      outgoingWebhookActions.saveWebhookEndpointAction(
        null,
        formOf({ portalId: ids.portalB, url: "https://hooks.example/in", eventTypes: "document.sent" }),
      ),
    (ids) =>
      outgoingWebhookActions.saveWebhookEndpointAction(
        null,
        formOf({ endpointId: ids.webhookEndpointB, url: "https://hooks.example/in", eventTypes: "document.sent" }),
      ),
  ],
  "(app)/portals/[portalId]/settings/webhooks/actions.ts#setWebhookEndpointEnabledAction": [
    (ids) =>
      outgoingWebhookActions.setWebhookEndpointEnabledAction({ endpointId: ids.webhookEndpointB, enabled: false }),
  ],
  "(app)/portals/[portalId]/settings/webhooks/actions.ts#revealWebhookSecretAction": [
    (ids) => outgoingWebhookActions.revealWebhookSecretAction({ endpointId: ids.webhookEndpointB }),
  ],
  "(app)/portals/[portalId]/settings/webhooks/actions.ts#rotateWebhookSecretAction": [
    (ids) => outgoingWebhookActions.rotateWebhookSecretAction({ endpointId: ids.webhookEndpointB }),
  ],
  "(app)/portals/[portalId]/settings/webhooks/actions.ts#sendWebhookTestAction": [
    (ids) => outgoingWebhookActions.sendWebhookTestAction({ endpointId: ids.webhookEndpointB }),
  ],
  "(app)/portals/[portalId]/settings/webhooks/actions.ts#deleteWebhookEndpointAction": [
    (ids) => outgoingWebhookActions.deleteWebhookEndpointAction({ endpointId: ids.webhookEndpointB }),
  ],
  "(app)/portals/[portalId]/settings/webhooks/actions.ts#replayWebhookDeliveryAction": [
    (ids) => outgoingWebhookActions.replayWebhookDeliveryAction({ deliveryId: ids.webhookDeliveryB }),
  ],
  "(app)/portals/[portalId]/settings/members/actions.ts#inviteMemberAction": [
    (ids) =>
      memberActions.inviteMemberAction(
        null,
        formOf({ portalId: ids.portalB, email: "inbraak@kantoor.example", role: "admin", locale: "nl" }),
      ),
  ],
  "(app)/portals/[portalId]/settings/members/actions.ts#resendMemberInvitationAction": [
    (ids) => memberActions.resendMemberInvitationAction({ portalId: ids.portalB, invitationId: ids.memberInvitationB }),
    // The invitation's own office decides: naming one's own office changes nothing.
    (ids) => memberActions.resendMemberInvitationAction({ portalId: ids.portalA, invitationId: ids.memberInvitationB }),
  ],
  "(app)/portals/[portalId]/settings/members/actions.ts#revokeMemberInvitationAction": [
    (ids) => memberActions.revokeMemberInvitationAction({ portalId: ids.portalB, invitationId: ids.memberInvitationB }),
    (ids) => memberActions.revokeMemberInvitationAction({ portalId: ids.portalA, invitationId: ids.memberInvitationB }),
  ],
  "(app)/portals/[portalId]/settings/members/actions.ts#changeMemberRoleAction": [
    (ids) => memberActions.changeMemberRoleAction({ portalId: ids.portalB, userId: ids.memberB, role: "accountant" }),
    ownOffice((ids) =>
      memberActions.changeMemberRoleAction({ portalId: ids.portalA, userId: ids.memberB, role: "accountant" }),
    ),
  ],
  "(app)/portals/[portalId]/settings/members/actions.ts#removeMemberAction": [
    (ids) => memberActions.removeMemberAction({ portalId: ids.portalB, userId: ids.memberB }),
    ownOffice((ids) => memberActions.removeMemberAction({ portalId: ids.portalA, userId: ids.memberB })),
  ],
  "(app)/share/[shareId]/actions.ts#pickShareDossierAction": [
    (ids) => shareActions.pickShareDossierAction(null, formOf({ shareId: ids.pendingShareB, dossierId: ids.dossierB })),
  ],
  "(app)/portals/[portalId]/settings/notifications/actions.ts#setFailureDigestAction": [
    (ids) => notificationActions.setFailureDigestAction({ portalId: ids.portalB, enabled: false }),
  ],
};

let opened: OpenedDb;
let ids: Ids;

/** Office B's webhook endpoint with one finished delivery (something to replay). */
async function insertWebhookEndpoint(portalId: string) {
  const id = randomUUID();
  await opened.db.insert(webhookEndpoints).values({
    id,
    portalId,
    url: "https://hooks.example/b",
    eventTypes: ["document.sent"],
    secretEncrypted: encryptEndpointSecret(id, generateWebhookSecret()),
  });
  const [delivery] = await opened.db
    .insert(webhookDeliveries)
    .values({
      endpointId: id,
      portalId,
      messageId: "msg_b",
      eventType: "document.sent",
      payload: { type: "document.sent", timestamp: "t", data: {} },
      status: "failed",
    })
    .returning({ id: webhookDeliveries.id });
  return { webhookEndpointB: id, webhookDeliveryB: delivery?.id ?? "" };
}
/** A share waiting for office B's entrepreneur to pick a dossier (its files need not exist). */
async function insertPendingShare(portalId: string, dossierId: string): Promise<string> {
  const entrepreneur = await insertUserActor(opened.db, {});
  await opened.db.insert(dossierMembers).values({ portalId, dossierId, userId: entrepreneur.userId });
  const [share] = await opened.db
    .insert(pendingShares)
    .values({
      userId: entrepreneur.userId,
      files: [{ storageKey: "shares/b/0", fileName: "b.pdf", contentType: "application/pdf", sizeBytes: 1 }],
      expiresAt: new Date(Date.now() + 24 * 60 * 60 * 1000),
    })
    .returning({ id: pendingShares.id });
  return share?.id ?? "";
}
let officeA: { admin: Actor; accountant: Actor; entrepreneur: Actor };
/** Office B's own people: an accountant, dossier B's entrepreneur, and another dossier's. */
let officeB: { accountant: Actor; entrepreneur: Actor; neighbour: Actor };

/** Dossier B's entrepreneur, and an open invitation of someone else to dossier B. */
async function insertDossierPeople(dossier: { id: string; portalId: string }) {
  const entrepreneur = await insertUserActor(opened.db, {});
  await opened.db
    .insert(dossierMembers)
    .values({ portalId: dossier.portalId, dossierId: dossier.id, userId: entrepreneur.userId });
  const [invitation] = await opened.db
    .insert(invitations)
    .values({
      kind: "dossier_member",
      tokenHash: newInvitationToken().tokenHash,
      email: "invited@client-b.test",
      locale: "nl",
      portalId: dossier.portalId,
      dossierId: dossier.id,
      expiresAt: new Date(Date.now() + 7 * 24 * 3_600_000),
    })
    .returning({ id: invitations.id });
  return { entrepreneurB: entrepreneur.userId, invitationB: invitation?.id ?? "" };
}

/** Office B's open invitation of an accountant, made by its admin. */
async function insertMemberInvitation(portalId: string, invitedByUserId: string): Promise<string> {
  const [invitation] = await opened.db
    .insert(invitations)
    .values({
      kind: "portal_member",
      tokenHash: newInvitationToken().tokenHash,
      email: "collega@kantoor-b.test",
      locale: "nl",
      portalId,
      role: "accountant",
      invitedByUserId,
      expiresAt: new Date(Date.now() + 7 * 24 * 3_600_000),
    })
    .returning({ id: invitations.id });
  return invitation?.id ?? "";
}

const officeBRows = () => officeRows(opened.db, ids.portalB);

beforeAll(async () => {
  opened = await createTestDb();
  session.db = opened.db;
  const portalA = await insertPortal(opened.db, "Kantoor A");
  const portalB = await insertPortal(opened.db, "Kantoor B");
  const dossierA = await insertDossier(opened.db, portalA.id);
  const dossierB = await insertDossier(opened.db, portalB.id);
  const inbox = await insertDocument(opened.db, dossierB);
  const sent = await insertDocument(opened.db, dossierB);
  const archived = await insertDocument(opened.db, dossierB);
  await opened.db.update(documents).set({ status: "sent" }).where(eq(documents.id, sent.id));
  await opened.db
    .update(documents)
    .set({ status: "sent", archivedAt: new Date() })
    .where(eq(documents.id, archived.id));
  // A document held as a possible duplicate of the inbox one, for "it is a different document".
  const held = await insertDocument(opened.db, dossierB);
  await opened.db.update(documents).set({ possibleDuplicateOf: inbox.id }).where(eq(documents.id, held.id));
  // A failed document in the failure queue's "unreachable" group, for "retry all".
  const failed = await insertDocument(opened.db, dossierB);
  await opened.db
    .update(documents)
    .set({ status: "failed", lastErrorCode: "network" })
    .where(eq(documents.id, failed.id));
  const connectionB = await insertConnection(opened.db, portalB.id);
  // Office B's recognition secret, so a refused rotation has something to leave as it was.
  const adminB = await insertUserActor(opened.db, { [portalB.id]: "admin" });
  await revealRecognitionSecret(opened.db, adminB, portalB.id);
  await opened.db
    .insert(dossierIntegrations)
    .values({ portalId: portalB.id, dossierId: dossierB.id, kind: "connection", connectionId: connectionB.id });
  ids = {
    portalA: portalA.id,
    portalB: portalB.id,
    dossierB: dossierB.id,
    inboxDocumentB: inbox.id,
    heldDocumentB: held.id,
    sentDocumentB: sent.id,
    archivedDocumentB: archived.id,
    connectionB: connectionB.id,
    apiKeyB: (await insertApiKey(opened.db, portalB.id)).id,
    ...(await insertWebhookEndpoint(portalB.id)),
    pendingShareB: await insertPendingShare(portalB.id, dossierB.id),
    ...(await insertDossierPeople(dossierB)),
    memberB: adminB.userId,
    memberInvitationB: await insertMemberInvitation(portalB.id, adminB.userId),
  };
  const neighbourDossierB = await insertDossier(opened.db, portalB.id);
  const neighbourB = await insertUserActor(opened.db, {});
  await opened.db
    .insert(dossierMembers)
    .values({ portalId: portalB.id, dossierId: neighbourDossierB.id, userId: neighbourB.userId });
  officeB = {
    accountant: await insertUserActor(opened.db, { [portalB.id]: "accountant" }),
    entrepreneur: await loadUserActor(opened.db, ids.entrepreneurB),
    neighbour: await loadUserActor(opened.db, neighbourB.userId),
  };
  const entrepreneur = await insertUserActor(opened.db, {});
  officeA = {
    admin: await insertUserActor(opened.db, { [portalA.id]: "admin" }),
    accountant: await insertUserActor(opened.db, { [portalA.id]: "accountant" }),
    entrepreneur: { ...entrepreneur, dossiers: { [dossierA.id]: portalA.id } },
  };
});
afterAll(async () => {
  await opened?.close();
});

describe("server actions across offices", () => {
  it("has a row for every server action of the app, and none for an action that is gone", () => {
    const listed = [...Object.keys(CROSS_OFFICE_CALLS), ...Object.keys(NOT_TENANT_SCOPED)].sort();
    expect(listed).toEqual(listServerActions());
  });

  const cells = Object.entries(CROSS_OFFICE_CALLS).flatMap(([name, calls]) =>
    calls.flatMap((call, index) =>
      (["admin", "accountant", "entrepreneur"] as const).map(
        (who) => [name.split("#")[1], index + 1, who, call] as const,
      ),
    ),
  );

  it.each(cells)(
    "%s (call %i) as office A's %s refuses and leaves office B as it was",
    async (_name, _index, who, call) => {
      const before = await officeBRows();
      session.actor = officeA[who];
      const result = (await call(ids)) as { ok?: boolean; error?: { code?: string } } | null | undefined;
      // Another office's ids are "not found", whatever A's role: nothing says they exist.
      const codes = call.namesOwnOffice && who !== "admin" ? ["not_found", "forbidden"] : ["not_found"];
      expect(result).toMatchObject({ ok: false });
      expect(codes).toContain((result as { error?: { code?: string } }).error?.code);
      expect(await officeBRows()).toBe(before);
    },
  );
});

// The members page's actions inside office B itself (member.manage, admins only): nobody signed in
// goes to sign-in, B's own accountant sees the office but may not manage its people (forbidden),
// an entrepreneur of one of B's dossiers does not see it (not found). Office B stays as it was.
const MEMBER_CALLS = {
  inviteMemberAction: (ids: Ids) =>
    memberActions.inviteMemberAction(
      null,
      formOf({ portalId: ids.portalB, email: "nieuw@kantoor-b.test", role: "admin", locale: "fr" }),
    ),
  resendMemberInvitationAction: (ids: Ids) =>
    memberActions.resendMemberInvitationAction({ portalId: ids.portalB, invitationId: ids.memberInvitationB }),
  revokeMemberInvitationAction: (ids: Ids) =>
    memberActions.revokeMemberInvitationAction({ portalId: ids.portalB, invitationId: ids.memberInvitationB }),
  changeMemberRoleAction: (ids: Ids) =>
    memberActions.changeMemberRoleAction({ portalId: ids.portalB, userId: ids.memberB, role: "accountant" }),
  removeMemberAction: (ids: Ids) => memberActions.removeMemberAction({ portalId: ids.portalB, userId: ids.memberB }),
} satisfies Record<string, (ids: Ids) => Promise<unknown>>;

describe("the members page's actions within their own office", () => {
  const calls = Object.entries(MEMBER_CALLS);

  it("covers every export of the members actions", () => {
    expect(Object.keys(MEMBER_CALLS).sort()).toEqual(
      listServerActions()
        .filter((name) => name.startsWith("(app)/portals/[portalId]/settings/members/actions.ts#"))
        .map((name) => name.split("#")[1])
        .sort(),
    );
  });

  it.each(calls)("%s sends an anonymous visitor to sign-in and changes nothing", async (_name, call) => {
    const before = await officeBRows();
    session.actor = null;
    const error = await call(ids).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect((error as { digest?: string } | null)?.digest).toMatch(/^NEXT_REDIRECT;.*;\/sign-in;/);
    expect(await officeBRows()).toBe(before);
  });

  it.each(calls)("%s is forbidden to the office's accountant", async (_name, call) => {
    const before = await officeBRows();
    session.actor = officeB.accountant;
    expect(await call(ids)).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(await officeBRows()).toBe(before);
  });

  it.each(calls)("%s is not found for an entrepreneur of one of its dossiers", async (_name, call) => {
    const before = await officeBRows();
    session.actor = officeB.neighbour;
    expect(await call(ids)).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await officeBRows()).toBe(before);
  });
});

// The dossier's "Toegang" actions inside office B itself (dossierMember.manage): nobody signed in
// goes to sign-in, dossier B's own entrepreneur sees the dossier but may not manage its people
// (forbidden), another dossier's entrepreneur does not see it (not found). Office B stays as it was.
const ACCESS_CALLS = {
  inviteDossierClientsAction: (ids: Ids) =>
    accessActions.inviteDossierClientsAction(
      null,
      formOf({ dossierId: ids.dossierB, emails: "inbraak@example.test", locale: "nl" }),
    ),
  resendDossierInvitationAction: (ids: Ids) =>
    accessActions.resendDossierInvitationAction({ dossierId: ids.dossierB, invitationId: ids.invitationB }),
  revokeDossierInvitationAction: (ids: Ids) =>
    accessActions.revokeDossierInvitationAction({ dossierId: ids.dossierB, invitationId: ids.invitationB }),
  removeDossierClientAction: (ids: Ids) =>
    accessActions.removeDossierClientAction({ dossierId: ids.dossierB, userId: ids.entrepreneurB }),
} satisfies Record<string, (ids: Ids) => Promise<unknown>>;

describe("the dossier's access actions within its own office", () => {
  const calls = Object.entries(ACCESS_CALLS);

  it("covers every export of the access actions", () => {
    expect(Object.keys(ACCESS_CALLS).sort()).toEqual(
      listServerActions()
        .filter((name) => name.startsWith("(app)/dossiers/[dossierId]/access/actions.ts#"))
        .map((name) => name.split("#")[1])
        .sort(),
    );
  });

  it.each(calls)("%s sends an anonymous visitor to sign-in and changes nothing", async (_name, call) => {
    const before = await officeBRows();
    session.actor = null;
    const error = await call(ids).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect((error as { digest?: string } | null)?.digest).toMatch(/^NEXT_REDIRECT;.*;\/sign-in;/);
    expect(await officeBRows()).toBe(before);
  });

  it.each(calls)("%s is forbidden to the dossier's own entrepreneur", async (_name, call) => {
    const before = await officeBRows();
    session.actor = officeB.entrepreneur;
    expect(await call(ids)).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(await officeBRows()).toBe(before);
  });

  it.each(calls)("%s is not found for an entrepreneur of another dossier of the office", async (_name, call) => {
    const before = await officeBRows();
    session.actor = officeB.neighbour;
    expect(await call(ids)).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await officeBRows()).toBe(before);
  });

  it("works for the office's accountant (so the refusals above are about who asks)", async () => {
    session.actor = officeB.accountant;
    expect(await ACCESS_CALLS.inviteDossierClientsAction(ids)).toMatchObject({
      ok: true,
      sent: [{ email: "inbraak@example.test", isMailed: true }],
      skipped: [],
    });
    expect(await ACCESS_CALLS.resendDossierInvitationAction(ids)).toMatchObject({ ok: true, isMailed: true });
    expect(await ACCESS_CALLS.revokeDossierInvitationAction(ids)).toMatchObject({ ok: true });
    expect(await ACCESS_CALLS.removeDossierClientAction(ids)).toMatchObject({ ok: true, userId: ids.entrepreneurB });
  });
});

// "Send all N in this tab" inside office B itself (document.send on the dossier): nobody signed in
// goes to sign-in, an entrepreneur of another dossier of the office and an accountant of another
// office do not see the dossier (not found). Office B stays as it was. That the dossier's own people
// may: tests/integration/lib/dispatch/send-all-action.test.ts.
describe("send all in a tab within its own office", () => {
  const tabs = ["inbox", "failed", "rejected"] as const;
  const call = (tab: (typeof tabs)[number]) => dossierActions.sendAllInTabAction({ dossierId: ids.dossierB, tab });

  it.each(tabs)("sends an anonymous visitor to sign-in and changes nothing (%s)", async (tab) => {
    const before = await officeBRows();
    session.actor = null;
    const error = await call(tab).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect((error as { digest?: string } | null)?.digest).toMatch(/^NEXT_REDIRECT;.*;\/sign-in;/);
    expect(await officeBRows()).toBe(before);
  });

  it.each(tabs)("is not found for an entrepreneur of another dossier of the office (%s)", async (tab) => {
    const before = await officeBRows();
    session.actor = officeB.neighbour;
    expect(await call(tab)).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await officeBRows()).toBe(before);
  });

  it.each(tabs)("is not found for an accountant of another office (%s)", async (tab) => {
    const before = await officeBRows();
    session.actor = officeA.accountant;
    expect(await call(tab)).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await officeBRows()).toBe(before);
  });

  it("refuses a list of ids or a tab that cannot be sent as invalid input, before anything is read", async () => {
    const before = await officeBRows();
    session.actor = officeB.accountant;
    for (const input of [
      { dossierId: ids.dossierB, tab: "sent" },
      { dossierId: ids.dossierB, tab: "archived" },
      { dossierId: ids.dossierB, tab: "inbox", after: "x".repeat(201) },
      { dossierId: ids.dossierB, tab: "inbox", documentIds: [ids.inboxDocumentB] },
    ]) {
      expect(await dossierActions.sendAllInTabAction(input as never)).toMatchObject({
        ok: false,
        error: { code: "validation_failed" },
      });
    }
    expect(await officeBRows()).toBe(before);
  });
});
