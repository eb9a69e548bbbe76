import { createHash, randomUUID } from "node:crypto";
import { eq, inArray, sql } from "drizzle-orm";
import { DEMO_EXPIRED_INVITATION, DEMO_USERS } from "@/lib/auth/demo-users";
import { categoryOf } from "@/lib/connectors/types";
import { connectionSecretsContext, encryptSecrets } from "@/lib/crypto/secrets";
import { buildSamplePdf } from "@/lib/documents/sample-pdf";
import { companyNumberFromBase } from "@/lib/dossiers/company-number";
import { storedFailureGroupOf } from "@/lib/failures/groups";
import { hashInvitationToken } from "@/lib/invitations/token";
import { getFileStore } from "@/lib/storage";
import type { FileStore } from "@/lib/storage/file-store";
import type { Db, DbOrTx } from ".";
import {
  attempts,
  connections,
  dispatches,
  documents,
  dossierIntegrations,
  dossierMembers,
  dossiers,
  invitations,
  memberEvents,
  portalMembers,
  portals,
  type RecognisedFields,
  users,
} from "./schema";

/** Fixed so its encrypted password (bound to the row id) can be made before the insert. */
const DEMO_FTP_CONNECTION_ID = "5eed0f70-0000-4000-8000-000000000021";

/** The demo office, and the other office its users must never see (company numbers are unique). */
const DEMO_OFFICE = { name: "Accountantskantoor De Vos", companyNumber: "0412345614" };
const OTHER_DEMO_OFFICE = { name: "Fiduciaire Dubois", companyNumber: "0765432146" };

type DocumentType = NonNullable<typeof documents.$inferInsert.documentType>;
type DocumentStatus = NonNullable<typeof documents.$inferInsert.status>;

/** Deterministic pseudo-random numbers, so every seed gives the same demo. */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SUPPLIERS = [
  "Proximus NV",
  "Colruyt Group",
  "Luminus",
  "Telenet BV",
  "Bol.com",
  "Brico",
  "TotalEnergies",
  "Coolblue België",
  "Vandemoortele",
  "Lyreco Belgium",
  "Dreamland",
  "Makro Cash & Carry",
];
const CUSTOMERS = ["Bakkerij Wouters", "Studio Lemaire", "Garage Peeters", "Immo Vermeulen", "Café De Hoek"];

type FreeMailAddresses = { purchase: string | null; sales: string | null; other: string | null };

type DossierPlan = {
  name: string;
  /** Defaults to on for most dossiers (see below). */
  isAutoSendEnabled?: boolean;
  /** A dossier for bulk sending: this many recognised inbox documents instead of the usual mix. */
  recognisedInboxCount?: number;
  integration:
    | { kind: "connection"; connection: "exact" | "ftp" | "yuki" }
    | { kind: "email"; packageId: string; individual: false; inputs: Record<string, string> }
    | { kind: "email"; packageId: string; individual: true }
    | { kind: "free_email"; packageName: string; addresses: FreeMailAddresses }
    | { kind: "none" }
    | null;
};

const DEMO_DOSSIERS: DossierPlan[] = [
  { name: "Bakkerij Wouters BV", integration: { kind: "connection", connection: "exact" } },
  {
    // Eva's second company mails its documents to its own bookkeeper: free mail, every category.
    name: "Studio Lemaire SRL",
    integration: {
      kind: "free_email",
      packageName: "Boekhouding Lemaire",
      addresses: {
        purchase: "aankoop@lemaire-boekhouding.example",
        sales: "verkoop@lemaire-boekhouding.example",
        other: "overige@lemaire-boekhouding.example",
      },
    },
  },
  { name: "Garage Peeters BV", integration: { kind: "connection", connection: "ftp" } },
  { name: "Vzw De Speelberg", integration: { kind: "none" } },
  { name: "Immo Vermeulen NV", integration: null },
  {
    name: "Café De Hoek",
    integration: {
      kind: "free_email",
      packageName: "Boekhoudpakket van het kantoor",
      addresses: { purchase: "facturen@dehoek-boekhouding.example", sales: null, other: null },
    },
  },
  { name: "Tandartspraktijk Mertens", integration: { kind: "connection", connection: "yuki" } },
  { name: "Dakwerken Willems BV", integration: { kind: "email", packageId: "winbooks", individual: true } },
  { name: "Boekhandel Jacobs", integration: null },
  { name: "Transport Maes NV", integration: { kind: "connection", connection: "exact" } },
  {
    name: "Fleuriste Dupont SRL",
    integration: {
      kind: "email",
      packageId: "clearfacts",
      individual: false,
      inputs: { office: "devos" },
    },
  },
  { name: "Huisarts Goossens", integration: { kind: "none" } },
  {
    // A backlog to send in bulk: auto-send off, every document recognised and waiting in the inbox.
    name: "Drukkerij Van Damme BV",
    isAutoSendEnabled: false,
    recognisedInboxCount: 60,
    integration: {
      kind: "free_email",
      packageName: "Boekhouding Van Damme",
      addresses: {
        purchase: "aankoop@vandamme-boekhouding.example",
        sales: "verkoop@vandamme-boekhouding.example",
        other: "overige@vandamme-boekhouding.example",
      },
    },
  },
];

/** The demo's bulk dossier (see DEMO_DOSSIERS). */
export const BULK_DEMO_DOSSIER = "Drukkerij Van Damme BV";

const TYPES: DocumentType[] = [
  "purchase_invoice",
  "purchase_invoice",
  "purchase_invoice",
  "purchase_credit_note",
  "sales_invoice",
  "sales_invoice",
  "sales_credit_note",
  "receipt",
  "receipt",
  "other",
];

/** The bulk dossier's backlog: purchase documents, with the odd sales invoice. */
const BULK_TYPES: DocumentType[] = [
  "purchase_invoice",
  "purchase_invoice",
  "purchase_invoice",
  "purchase_credit_note",
  "receipt",
  "sales_invoice",
];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

/** Empties every application table (the migrations journal stays). */
export async function clearDatabase(db: DbOrTx): Promise<void> {
  // document_events has no foreign key to cascade through (its trigger fires on delete, not truncate).
  await db.execute(
    sql`truncate table portals, users, outbox_emails, verification_tokens, document_events, invitations, pending_shares cascade`,
  );
}

/** What ensureDemoSeeded found: it seeded an empty database, seeded again over a half seed, or left it. */
export type DemoSeedOutcome = "seeded" | "reseeded" | "present" | "other_offices";

/**
 * Seeds the demo when a server starts with it on (db/startup.ts), unless it is there already:
 * - no office at all: seed it;
 * - the demo office holds a document: it is seeded. Documents come after everything that can
 *   refuse, and a sent one can never be deleted, so a complete demo office always holds some;
 * - the demo office holds no document: a half seed. Seeds before seedDemo ran in one transaction
 *   left one behind when they failed part-way (users and offices but no dossiers without
 *   APP_ENCRYPTION_KEY, dossiers but no documents when the file store refused). It is demo data
 *   only, so its rows (the demo users, both demo offices and all in them) are removed and the
 *   whole demo is seeded again;
 * - other offices and no demo office: leave the database alone.
 */
export async function ensureDemoSeeded(db: Db, options: { fileStore?: FileStore } = {}): Promise<DemoSeedOutcome> {
  return db.transaction(async (tx) => {
    // Two servers starting at once: the second waits here, then finds the first one's demo.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('demo-seed', 0))`);
    const [office] = await tx
      .select({ id: portals.id })
      .from(portals)
      .where(eq(portals.companyNumber, DEMO_OFFICE.companyNumber));
    if (!office) {
      const [anyOffice] = await tx.select({ id: portals.id }).from(portals).limit(1);
      if (anyOffice) return "other_offices";
    } else {
      const [anyDocument] = await tx
        .select({ id: documents.id })
        .from(documents)
        .where(eq(documents.portalId, office.id))
        .limit(1);
      if (anyDocument) return "present";
    }
    // Also without offices: a seed that stopped right after its users left them behind.
    await tx
      .delete(portals)
      .where(inArray(portals.companyNumber, [DEMO_OFFICE.companyNumber, OTHER_DEMO_OFFICE.companyNumber]));
    await tx.delete(users).where(
      inArray(
        users.email,
        DEMO_USERS.map((user) => user.email),
      ),
    );
    await seedDemo(tx, options);
    return office ? "reseeded" : "seeded";
  });
}

/**
 * The demo: one office with 12 dossiers in every integration state and about 200 documents over
 * all statuses, plus a bulk dossier with 60 recognised documents waiting to be sent, and a second
 * office that the first one's users must never see. Every document gets a small real PDF in the
 * file store (`fileStore`, the app's store by default), so it can be previewed and sent.
 */
export async function seedDemo(db: DbOrTx, options: { fileStore?: FileStore } = {}): Promise<void> {
  // What can refuse (a deployment with DATABASE_URL but no APP_ENCRYPTION_KEY, a misconfigured
  // file store) refuses here, before a row is written.
  const prepared: PreparedSeed = {
    fileStore: options.fileStore ?? getFileStore(),
    ftpSecretsEncrypted: encryptSecrets({ password: "demo" }, connectionSecretsContext(DEMO_FTP_CONNECTION_ID)),
  };
  // One transaction (a savepoint inside the caller's): a seed that fails half-way leaves no half
  // demo behind, which a start would take for a seeded one. Files written before a failure stay,
  // but their keys are fixed, so the next seed overwrites them.
  await db.transaction((tx) => writeDemo(tx, prepared));
}

type PreparedSeed = { fileStore: FileStore; ftpSecretsEncrypted: string };

async function writeDemo(db: DbOrTx, prepared: PreparedSeed): Promise<void> {
  const rand = mulberry32(20261127);
  const now = Date.now();
  const day = 24 * 60 * 60 * 1000;

  const insertedUsers = await db
    .insert(users)
    .values(
      DEMO_USERS.map((user) => ({
        email: user.email,
        name: user.name,
        emailVerified: new Date(now),
        locale: user.email.endsWith("ander.koppel.example") ? ("fr" as const) : ("nl" as const),
      })),
    )
    .returning({ id: users.id, email: users.email });
  const userId = (email: string) => {
    const found = insertedUsers.find((user) => user.email === email);
    if (!found) throw new Error(`seed user ${email} missing`);
    return found.id;
  };
  const [admin, accountant, entrepreneur, otherAdmin] = DEMO_USERS.map((user) => userId(user.email)) as [
    string,
    string,
    string,
    string,
  ];

  const [demoPortal, otherPortal] = await db
    .insert(portals)
    .values([DEMO_OFFICE, OTHER_DEMO_OFFICE])
    .returning({ id: portals.id });
  if (!demoPortal || !otherPortal) throw new Error("seed portals missing");

  await db.insert(portalMembers).values([
    { portalId: demoPortal.id, userId: admin, role: "admin" },
    { portalId: demoPortal.id, userId: accountant, role: "accountant" },
    { portalId: otherPortal.id, userId: otherAdmin, role: "admin" },
  ]);
  await db.insert(invitations).values({
    kind: "portal_member",
    tokenHash: hashInvitationToken(DEMO_EXPIRED_INVITATION.token),
    email: DEMO_EXPIRED_INVITATION.email,
    locale: "nl",
    portalId: demoPortal.id,
    role: "accountant",
    invitedByUserId: admin,
    sentAt: new Date(now - 8 * day),
    createdAt: new Date(now - 8 * day),
    expiresAt: new Date(now - day),
  });
  await db.insert(memberEvents).values({
    portalId: demoPortal.id,
    action: "invited",
    actorUserId: admin,
    actorLabel: "An Peeters",
    subjectEmail: DEMO_EXPIRED_INVITATION.email,
    role: "accountant",
    createdAt: new Date(now - 8 * day),
  });

  const connectionRows = await db
    .insert(connections)
    .values([
      {
        portalId: demoPortal.id,
        packageId: "exact-online",
        channel: "api" as const,
        label: "Exact Online België",
        // Made without a grant: an admin connects it through Exact's own sign-in (OAuth), which
        // the demo cannot do for them. Until then nothing is sent through it and the card says so.
        settings: { region: "be" },
        status: "not_checked" as const,
      },
      {
        portalId: demoPortal.id,
        id: DEMO_FTP_CONNECTION_ID,
        packageId: "expert-m",
        channel: "ftp" as const,
        // The local demo FTP server that `npm run dev` starts (scripts/demo-ftp.ts): FTP delivery
        // works end to end on a fresh clone. Its status is whatever the first check finds.
        label: "Expert/M (demo-FTP op deze computer)",
        settings: { host: "127.0.0.1", port: 2121, username: "demo", security: "plain" },
        secretsEncrypted: prepared.ftpSecretsEncrypted,
        status: "not_checked" as const,
      },
      {
        portalId: demoPortal.id,
        packageId: "yuki",
        channel: "api" as const,
        label: "Yuki",
        settings: { region: "be" },
        status: "needs_reauth" as const,
        lastCheckedAt: new Date(now - 3 * 60 * 60 * 1000),
        lastSuccessAt: new Date(now - 9 * day),
        lastErrorCode: "auth_failed",
        lastErrorAt: new Date(now - 3 * 60 * 60 * 1000),
      },
    ])
    .returning({
      id: connections.id,
      packageId: connections.packageId,
      channel: connections.channel,
      label: connections.label,
    });
  const connectionId = { exact: connectionRows[0]?.id, ftp: connectionRows[1]?.id, yuki: connectionRows[2]?.id };

  const plans: { portalId: string; plan: DossierPlan }[] = [
    ...DEMO_DOSSIERS.map((plan) => ({ portalId: demoPortal.id, plan })),
    { portalId: otherPortal.id, plan: { name: "Boulangerie Lambert SRL", integration: { kind: "none" } } },
    { portalId: otherPortal.id, plan: { name: "Menuiserie Renard", integration: null } },
  ];

  const dossierRows = await db
    .insert(dossiers)
    .values(
      plans.map(({ portalId, plan }, index) => {
        const companyNumber = companyNumberFromBase(4_012_345 + index * 7_919);
        return {
          portalId,
          name: plan.name,
          companyNumber,
          vatNumber: `BE${companyNumber}`,
          isAutoSendEnabled: plan.isAutoSendEnabled ?? index % 5 !== 2,
        };
      }),
    )
    .returning({ id: dossiers.id, portalId: dossiers.portalId, companyNumber: dossiers.companyNumber });

  // Eva runs two of the demo office's companies.
  const [firstDossier, secondDossier] = dossierRows;
  if (!firstDossier || !secondDossier) throw new Error("seed dossiers missing");
  await db.insert(dossierMembers).values([
    { portalId: demoPortal.id, dossierId: firstDossier.id, userId: entrepreneur },
    { portalId: demoPortal.id, dossierId: secondDossier.id, userId: entrepreneur },
  ]);

  const integrationValues = plans.flatMap(({ plan }, index): (typeof dossierIntegrations.$inferInsert)[] => {
    const dossier = dossierRows[index];
    const integration = plan.integration;
    if (!dossier || !integration) return [];
    const base = { portalId: dossier.portalId, dossierId: dossier.id };
    switch (integration.kind) {
      case "connection":
        return [
          {
            ...base,
            kind: "connection" as const,
            connectionId: connectionId[integration.connection] ?? null,
            settings:
              integration.connection === "ftp"
                ? { dossierFolder: dossier.companyNumber }
                : integration.connection === "exact"
                  ? { division: 100_000 + index }
                  : { administrationId: `7c1d5f0e-2b7a-4a57-9d0e-0000000000${String(10 + index)}` },
          },
        ];
      case "email":
        return [
          {
            ...base,
            kind: "email" as const,
            packageId: integration.packageId,
            // The shape of lib/integrations/schemas.ts: standard addresses follow from the
            // package's rule and its inputs; individual ones are stored as typed in.
            settings: integration.individual
              ? {
                  addressMode: "individual",
                  inputs: {},
                  addresses: {
                    purchase: "aankoop.willems@winbooks.example",
                    sales: "verkoop.willems@winbooks.example",
                    other: null,
                  },
                }
              : {
                  addressMode: "standard",
                  inputs: integration.inputs,
                  addresses: { purchase: null, sales: null, other: null },
                },
          },
        ];
      case "free_email":
        return [
          {
            ...base,
            kind: "free_email" as const,
            settings: { packageName: integration.packageName, addresses: integration.addresses },
          },
        ];
      case "none":
        return [{ ...base, kind: "none" as const }];
      default:
        return [];
    }
  });
  await db.insert(dossierIntegrations).values(integrationValues);

  // About 200 documents over every status in the demo office's twelve mixed dossiers, a backlog of
  // recognised inbox documents in its bulk dossier, and a handful in the other office.
  type SeedDocument = typeof documents.$inferInsert & { id: string; content: Uint8Array };
  const documentValues: SeedDocument[] = [];
  plans.forEach(({ plan }, index) => {
    const dossier = dossierRows[index];
    if (!dossier) return;
    const isDemoOffice = dossier.portalId === demoPortal.id;
    const isBulk = plan.recognisedInboxCount !== undefined;
    const count = plan.recognisedInboxCount ?? (isDemoOffice ? 14 + Math.floor(rand() * 7) : 5);
    const canSend = plan.integration !== null && plan.integration.kind !== "none";
    const isAutoSendEnabled = plan.isAutoSendEnabled ?? index % 5 !== 2;
    for (let n = 0; n < count; n++) {
      // The backlog arrived over the last weeks, a few documents a day.
      const createdAt = isBulk
        ? new Date(now - (n + 1) * 7 * 60 * 60 * 1000)
        : new Date(now - Math.floor(rand() * 120 * day) - n * 60_000);
      const isRecognised = isBulk || rand() > 0.15;
      const documentType = isRecognised ? pick(rand, isBulk ? BULK_TYPES : TYPES) : null;
      let status: DocumentStatus = "inbox";
      if (documentType && canSend && !isBulk) {
        const roll = rand();
        status =
          roll < 0.5 ? "sent" : roll < 0.62 ? "failed" : roll < 0.72 ? "rejected" : roll < 0.76 ? "sending" : "inbox";
      }
      const isSales = documentType === "sales_invoice" || documentType === "sales_credit_note";
      const counterparty = isSales ? pick(rand, CUSTOMERS) : pick(rand, SUPPLIERS);
      const invoiceDate = new Date(createdAt.getTime() - Math.floor(rand() * 10) * day).toISOString().slice(0, 10);
      const fields: RecognisedFields = documentType
        ? {
            supplierName: counterparty,
            invoiceNumber: `${isSales ? "VF" : "AF"}-${2026}-${String(1000 + Math.floor(rand() * 9000))}`,
            invoiceDate,
            totalAmount: Math.round(rand() * 250_000) / 100,
            currency: "EUR",
          }
        : {};
      const sentAt = status === "sent" || status === "rejected" ? new Date(createdAt.getTime() + 5 * 60_000) : null;
      // A real (tiny) file behind every document, so previews and sending work on the demo.
      // Numbered scans: the same file twice in one dossier is refused, and unrecognised scans have no
      // fields to tell them apart.
      const content = buildSamplePdf({
        title: documentType ? documentTitle(documentType) : `Scan ${n + 1}`,
        ...fields,
      });
      documentValues.push({
        id: randomUUID(),
        content,
        portalId: dossier.portalId,
        dossierId: dossier.id,
        source: isBulk ? "upload" : pick(rand, ["upload", "upload", "email", "sales", "api"] as const),
        // Unrecognised documents carry the name a phone scan gets; recognised ones the counterparty.
        fileName: documentType
          ? `${(counterparty.split(" ")[0] ?? "scan").toLowerCase()}-${invoiceDate}-${n + 1}.pdf`
          : `scan-${createdAt.toISOString().slice(0, 10)}-${n + 1}.pdf`,
        mimeType: "application/pdf",
        sizeBytes: content.byteLength,
        sha256: createHash("sha256").update(content).digest("hex"),
        // Deterministic keys: re-seeding overwrites the same files instead of piling up new ones.
        storageKey: `seed/${index}/${n}.pdf`,
        documentType,
        recognisedFields: fields,
        recognitionConfidence: documentType ? Math.round((0.8 + rand() * 0.2) * 100) / 100 : null,
        status,
        sentAt,
        archivedAt: status === "sent" && rand() < 0.25 ? new Date(createdAt.getTime() + 3 * day) : null,
        packageReference: sentAt ? `PKG-${Math.floor(rand() * 1e8)}` : null,
        lastErrorCode: status === "failed" ? "file_refused" : status === "rejected" ? "package_refused" : null,
        // What lib/documents/life.ts stores when a failure is recorded: the failure queue reads it.
        failureGroup:
          status === "failed" || status === "rejected"
            ? storedFailureGroupOf(status, status === "failed" ? "file_refused" : "package_refused")
            : null,
        // Failures carry our own message key; a rejection carries the package's own words.
        lastErrorReason:
          status === "failed"
            ? "connectors.errors.file_refused"
            : status === "rejected"
              ? "Dubbel document: dit factuurnummer bestaat al in het pakket."
              : null,
        autoSendSkipReason: status === "inbox" && documentType ? autoSendSkipReasonOf(plan, isAutoSendEnabled) : null,
        createdAt,
        updatedAt: sentAt ?? createdAt,
      });
    }
  });

  await storeFiles(prepared.fileStore, documentValues);
  const insertedDocuments = await db
    // lint-documents-ignore: demo fixtures, inserted in the states the demo shows (tests seed the same way)
    .insert(documents)
    .values(documentValues.map(({ content: _content, ...row }) => row))
    .returning({
      id: documents.id,
      portalId: documents.portalId,
      dossierId: documents.dossierId,
      fileName: documents.fileName,
      documentType: documents.documentType,
      status: documents.status,
      createdAt: documents.createdAt,
      packageReference: documents.packageReference,
      lastErrorCode: documents.lastErrorCode,
      lastErrorReason: documents.lastErrorReason,
    });

  // History for documents that went out: one finished dispatch with one attempt each.
  const integrationByDossier = new Map(integrationValues.map((row) => [row.dossierId, row]));
  const finished = insertedDocuments.filter((doc) => doc.status !== "inbox");
  if (finished.length === 0) return;
  const targetOf = (doc: (typeof finished)[number]) => {
    const integration = integrationByDossier.get(doc.dossierId);
    const category = doc.documentType ? categoryOf(doc.documentType) : "other";
    if (integration?.kind === "connection") {
      const connection = connectionRows.find((row) => row.id === integration.connectionId);
      return {
        connector: connection?.packageId ?? "api",
        target: {
          channel: connection?.channel ?? "api",
          packageId: connection?.packageId ?? null,
          connection: connection?.label ?? null,
          category,
        },
      };
    }
    const addresses = (integration?.settings as { addresses?: Partial<FreeMailAddresses> } | undefined)?.addresses;
    return {
      connector: "email",
      target: {
        channel: "email",
        packageId: integration?.packageId ?? null,
        category,
        to: addresses?.[category] ?? null,
      },
    };
  };
  const dispatchRows = await db
    .insert(dispatches)
    .values(
      finished.map((doc) => {
        const integration = integrationByDossier.get(doc.dossierId);
        const active = doc.status === "sending";
        return {
          portalId: doc.portalId,
          dossierId: doc.dossierId,
          documentId: doc.id,
          connectionId: integration?.connectionId ?? null,
          trigger: rand() < 0.5 ? ("auto" as const) : ("manual" as const),
          requestedByUserId: rand() < 0.5 ? accountant : null,
          status: active ? ("queued" as const) : doc.status === "failed" ? ("failed" as const) : ("succeeded" as const),
          target: targetOf(doc).target,
          attemptCount: active ? 0 : 1,
          packageReference: doc.packageReference,
          finishedAt: active ? null : new Date(doc.createdAt.getTime() + 5 * 60_000),
          createdAt: new Date(doc.createdAt.getTime() + 60_000),
        };
      }),
    )
    .returning({
      id: dispatches.id,
      documentId: dispatches.documentId,
      status: dispatches.status,
      trigger: dispatches.trigger,
      requestedByUserId: dispatches.requestedByUserId,
    });

  const byDocument = new Map(finished.map((doc) => [doc.id, doc]));
  const attemptValues = dispatchRows.flatMap((dispatch) => {
    const doc = dispatch.documentId ? byDocument.get(dispatch.documentId) : undefined;
    if (!doc || dispatch.status === "queued") return [];
    const startedAt = new Date(doc.createdAt.getTime() + 60_000);
    const { connector, target } = targetOf(doc);
    return [
      {
        portalId: doc.portalId,
        dispatchId: dispatch.id,
        dossierId: doc.dossierId,
        documentId: doc.id,
        fileName: doc.fileName,
        requestedByUserId: dispatch.requestedByUserId,
        number: 1,
        trigger: dispatch.trigger,
        connector,
        target,
        outcome: doc.status === "failed" ? ("permanent_error" as const) : ("succeeded" as const),
        errorCode: doc.status === "failed" ? doc.lastErrorCode : null,
        reason: doc.status === "failed" ? doc.lastErrorReason : null,
        packageReference: doc.packageReference,
        startedAt,
        finishedAt: new Date(startedAt.getTime() + 4_000),
      },
    ];
  });
  if (attemptValues.length > 0) await db.insert(attempts).values(attemptValues);
}

/** A seeded document's title line, in Dutch like the demo. */
function documentTitle(type: DocumentType): string {
  const titles: Record<DocumentType, string> = {
    purchase_invoice: "Factuur",
    purchase_credit_note: "Creditnota",
    sales_invoice: "Verkoopfactuur",
    sales_credit_note: "Creditnota (verkoop)",
    receipt: "Kasticket",
    other: "Document",
  };
  return titles[type];
}

/**
 * Why a recognised inbox document of this dossier was not sent automatically (the codes of
 * lib/documents/refusals.ts), where the dossier makes that plain; null otherwise.
 */
function autoSendSkipReasonOf(plan: DossierPlan, isAutoSendEnabled: boolean): string | null {
  if (!isAutoSendEnabled) return "auto_send_off";
  if (plan.integration === null) return "no_integration";
  if (plan.integration.kind === "none") return "integration_none";
  if (plan.integration.kind === "connection" && plan.integration.connection === "yuki") {
    return "connection_needs_reauth";
  }
  return null;
}

/** Writes the documents' files, a few at a time (a few hundred small files take well under a second). */
async function storeFiles(store: FileStore, values: readonly SeedFile[]): Promise<void> {
  const CONCURRENCY = 16;
  for (let start = 0; start < values.length; start += CONCURRENCY) {
    await Promise.all(
      values
        .slice(start, start + CONCURRENCY)
        .map((value) => store.put(value.storageKey, value.content, { contentType: value.mimeType })),
    );
  }
}

type SeedFile = { storageKey: string; content: Uint8Array; mimeType: string };
