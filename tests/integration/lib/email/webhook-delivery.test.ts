import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { requestSend } from "@/lib/dispatch/request-send";
import { getDocumentDetail } from "@/lib/documents/get";
import { resetEnvCache } from "@/lib/env";
import { startFakeResend } from "../../../fakes/resend";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import {
  collectingEnqueue,
  documentOf,
  insertSendableDocument,
  runDeliverJob,
  setIntegration,
  useTempFileStore,
} from "../dispatch/setup";
import { createWorld, type World } from "../integrations/setup";
import { eventBody, PERMANENT_BOUNCE, post, SECRET } from "./webhook-setup";

// The whole path below the UI: a document goes out by mail through the real e-mail connector and
// the deliver job to the fake Resend, whose answer is the email id the webhook later names; the
// bounce for that id fails the document, and its page shows the lead and the mail server's words.

const ENV_KEYS = ["RESEND_API_KEY", "RESEND_BASE_URL", "RESEND_WEBHOOK_SECRET", "DATABASE_URL"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

let opened: OpenedDb;
let world: World;
let cleanupFiles: () => void;
let resend: Awaited<ReturnType<typeof startFakeResend>>;

beforeAll(async () => {
  delete process.env.DATABASE_URL;
  resend = await startFakeResend();
  process.env.RESEND_API_KEY = "re_test";
  process.env.RESEND_BASE_URL = resend.url;
  process.env.RESEND_WEBHOOK_SECRET = SECRET;
  resetEnvCache();
  opened = await createTestDb();
  // The jobs, lib/email/send.ts and the route ask getDb() for the database: hand them this one.
  globalThis.__koppelDb = Promise.resolve(opened);
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
});
afterAll(async () => {
  await resend?.close();
  cleanupFiles?.();
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  resetEnvCache();
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

describe("a document delivered by mail, then bounced", () => {
  it("is Sent with Resend's id, becomes Failed on the bounce for that id, and stays so on a delivered event", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, dossier, {
      kind: "free_email",
      addresses: { purchase: "aankoop@kantoor.example", sales: "verkoop@kantoor.example" },
    });
    const document = await insertSendableDocument(opened.db, dossier, { fileName: "factuur 017.pdf" });
    const queue = collectingEnqueue();
    const { accepted } = await requestSend(
      opened.db,
      world.actors.accountant,
      { dossierId: dossier.id, documentIds: [document.id], trigger: "manual" },
      { enqueue: queue.enqueue },
    );
    expect(accepted).toHaveLength(1);
    const [event] = queue.events;
    if (!event) throw new Error("nothing enqueued");

    const run = await runDeliverJob(event);

    expect(run.error).toBeUndefined();
    const sent = await documentOf(opened.db, document.id);
    expect(sent.status).toBe("sent");
    // The fake answers {"id": "re_fake_<n>"}: that id is what Resend's webhook will carry.
    expect(sent.packageReference).toMatch(/^re_fake_\d+$/);
    const emailId = sent.packageReference ?? "";

    const bounce = await post(eventBody("email.bounced", emailId, PERMANENT_BOUNCE));
    const delivered = await post(eventBody("email.delivered", emailId));

    expect(bounce.json).toEqual({ result: "failed", documentId: document.id });
    expect(delivered.json).toEqual({ result: "unchanged", documentId: document.id });
    const detail = await getDocumentDetail(opened.db, world.actors.accountant, dossier.id, document.id);
    expect(detail.status).toBe("failed");
    expect(detail.lastErrorReason).toBe("dispatch.bounce.bounced");
    const [dispatch] = detail.history;
    expect(dispatch?.status).toBe("failed");
    expect(dispatch?.attempts.map((a) => [a.outcome, a.reason])).toEqual([
      ["succeeded", null],
      ["permanent_error", "Permanent · General: 550 5.1.1 The email account does not exist."],
    ]);
  });
});
