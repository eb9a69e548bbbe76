import { createHash, randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { documentStatusEnum, documents } from "@/db/schema";
import { type DocumentLifeState, LIFE_RULES, type LifeRuleName } from "@/lib/documents/life";
import { createTestDb } from "../../../helpers/db";
import { createWorld, type World } from "./setup";

/*
 * Every rule of the document life exists twice: the TypeScript function that says why a change is
 * refused (what a service checks first, and what the buttons are drawn from) and the SQL condition
 * of the conditional update that makes the change. This file holds them equal for every state a
 * document can be in: each status × archived or not × typed or not × imported or not.
 */

const ARCHIVED_AT = new Date("2026-03-01T10:00:00Z");
const IMPORTED_AT = new Date("2026-03-02T10:00:00Z");
/** The earlier document the held states name (inserted before them). */
const HELD = randomUUID();

const EVERY_STATE: DocumentLifeState[] = documentStatusEnum.enumValues.flatMap((status) =>
  [null, ARCHIVED_AT].flatMap((archivedAt) =>
    [null, "purchase_invoice" as const].flatMap((documentType) =>
      [null, IMPORTED_AT].flatMap((importedAt) =>
        [null, HELD].map((possibleDuplicateOf) => ({
          status,
          archivedAt,
          documentType,
          importedAt,
          possibleDuplicateOf,
        })),
      ),
    ),
  ),
);

const describeState = (state: DocumentLifeState) =>
  [
    state.status,
    state.archivedAt ? "archived" : "not archived",
    state.documentType ? "typed" : "untyped",
    state.importedAt ? "imported" : "not imported",
    state.possibleDuplicateOf ? "held" : "not held",
  ].join(", ");

let opened: OpenedDb;
let world: World;
/** Document id → the state it was stored in. */
const stateOf = new Map<string, DocumentLifeState>();

beforeAll(async () => {
  opened = await createTestDb();
  world = await createWorld(opened.db);
  // Test data, written directly: some of these states are ones the life never produces (an
  // archived inbox document), which is exactly where a drifted copy would hide.
  const rows = EVERY_STATE.map((state, index) => ({
    id: randomUUID(),
    portalId: world.portal.id,
    dossierId: world.dossier.id,
    source: "upload" as const,
    fileName: "state.pdf",
    mimeType: "application/pdf",
    sizeBytes: 1,
    // A file of its own each: the same file twice in one dossier is refused (documents_dossier_sha256_uq).
    sha256: createHash("sha256").update(`state-${index}`).digest("hex"),
    storageKey: `states/${randomUUID()}`,
    ...state,
  }));
  // The document the held states name.
  await opened.db.insert(documents).values({
    id: HELD,
    portalId: world.portal.id,
    dossierId: world.dossier.id,
    source: "upload",
    fileName: "earlier.pdf",
    mimeType: "application/pdf",
    sizeBytes: 1,
    sha256: createHash("sha256").update("earlier").digest("hex"),
    storageKey: `states/${HELD}`,
  });
  await opened.db.insert(documents).values(rows);
  for (const row of rows) stateOf.set(row.id, row);
}, 60_000);

afterAll(async () => {
  await opened?.close();
});

it("covers 80 states: 5 statuses × archived × typed × imported × held", () => {
  expect(EVERY_STATE).toHaveLength(80);
  expect(new Set(EVERY_STATE.map(describeState)).size).toBe(80);
});

describe.each(Object.keys(LIFE_RULES) as LifeRuleName[])("the %s rule", (name) => {
  const rule = LIFE_RULES[name];

  it("allows in SQL exactly the states it allows in TypeScript", async () => {
    const matched = await opened.db
      .select({ id: documents.id })
      .from(documents)
      .where(
        and(eq(documents.dossierId, world.dossier.id), inArray(documents.id, [...stateOf.keys()]), rule.condition()),
      );
    const matchedIds = new Set(matched.map((row) => row.id));

    const disagreements = [...stateOf].flatMap(([id, state]) => {
      const allowedInTypeScript = rule.refusal(state) === null;
      const allowedInSql = matchedIds.has(id);
      return allowedInTypeScript === allowedInSql
        ? []
        : [
            `${describeState(state)}: TypeScript ${allowedInTypeScript ? "allows" : "refuses"}, SQL ${allowedInSql ? "allows" : "refuses"}`,
          ];
    });
    expect(disagreements).toEqual([]);
  });

  it("allows at least one state and refuses at least one (a rule that cannot fail proves nothing)", () => {
    const decisions = new Set(EVERY_STATE.map((state) => rule.refusal(state) === null));
    expect(decisions).toEqual(new Set([true, false]));
  });
});
