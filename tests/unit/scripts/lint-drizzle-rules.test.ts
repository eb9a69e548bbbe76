import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  findDocumentWrites,
  findUnscopedMutations,
  maskNonCode,
  tableNamesFromSchema,
} from "@/scripts/lint-drizzle-rules";

const TABLES = ["documents", "dispatches", "portals"];
const find = (source: string) => findUnscopedMutations(source, { tableNames: TABLES });

describe("findUnscopedMutations", () => {
  it.each([
    ["delete", "await db.delete(documents);"],
    ["delete with returning", "const rows = await tx.delete(documents).returning({ id: documents.id });"],
    ["update", 'await db.update(documents).set({ status: "sent" });'],
    ["update over several lines", 'await db\n  .update(documents)\n  .set({ status: "sent" })\n  .returning();'],
    ["update on any receiver, table argument", "await (await getDb()).update(documents).set({ x: 1 });"],
    ["delete of schema.table", "await getConnection().delete(schema.portals);"],
    ["delete on a db-like receiver with an unknown table", "await testDb.delete(somethingElse);"],
    [
      "where only inside a nested subquery",
      "await db.update(documents).set({ a: db.select().from(portals).where(x) });",
    ],
    ["inside an arrow function", "const purge = () => tx.delete(dispatches);"],
    ["in an array", "await Promise.all([tx.delete(documents), tx.delete(dispatches).where(eq(a, b))]);"],
    ["in a ternary branch", "await (all ? db.delete(documents) : db.delete(documents).where(x));"],
    ["optional call", "await maybeDb?.delete(documents);"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source under test, not a template
    ["in a template expression", "const s = `${await db.delete(documents)}`;"],
  ])("flags a %s", (_name, source) => {
    expect(find(source)).toHaveLength(1);
  });

  it.each([
    ["delete with where", "await db.delete(documents).where(eq(documents.id, id));"],
    [
      "update with where",
      'await tx.update(documents).set({ status: "sent" }).where(eq(documents.id, id)).returning();',
    ],
    [
      "where before returning over lines",
      "await db\n  .delete(documents)\n  .where(inArray(documents.id, ids))\n  .returning();",
    ],
    ["a Map delete", "cache.delete(key);"],
    ["a Set delete of an id", "seen.delete(document.id);"],
    ["searchParams.delete", 'url.searchParams.delete("page");'],
    ["cookies().delete", 'cookieStore.delete("koppel-locale");'],
    ["a hash update", 'createHash("sha256").update(body).digest("hex");'],
    ["a hmac update chain", "hmac.update(timestamp).update(body);"],
    ["text in a comment", "// db.delete(documents);\nconst x = 1;"],
    ["text in a block comment", "/* await tx.update(documents).set({}) */"],
    ["text in a string", 'const help = "db.delete(documents) removes all";'],
    ["text in a template literal", "const help = `run db.delete(documents);`;"],
    ["raw SQL through execute", "await db.execute(sql`truncate table portals cascade`);"],
    [
      "an ignore comment on the line above",
      "// lint-drizzle-ignore: where added below\nconst q = db.delete(documents);",
    ],
    ["an ignore comment on the same line", "const q = db.delete(documents); // lint-drizzle-ignore: dynamic"],
  ])("accepts %s", (_name, source) => {
    expect(find(source)).toEqual([]);
  });

  it("reports the line, column, method and the expression", () => {
    const source =
      "const a = 1;\n\nexport async function purge(db: Db) {\n  await db.delete(documents).returning();\n}\n";
    expect(find(source)).toEqual([
      { method: "delete", line: 4, column: 11, snippet: "db.delete(documents).returning()" },
    ]);
  });

  it("is not thrown off by brackets and quotes in regex literals", () => {
    const source = ["const re = /[(']/g;", 'const ok = text.replace(/\\)/, "");', "await db.delete(documents);"].join(
      "\n",
    );
    expect(find(source)).toMatchObject([{ line: 3 }]);
  });

  it("finds nothing in the project's own seed (raw truncate only)", () => {
    const seed = readFileSync(path.join(process.cwd(), "db", "seed.ts"), "utf8");
    expect(find(seed)).toEqual([]);
  });
});

describe("maskNonCode", () => {
  it("blanks comments and literal text but keeps template expressions and line breaks", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source under test, not a template
    const source = 'a("x(") // c(\nb(`t(${c(1)})`) /* d( */ x = /re(/.test(s)';
    const masked = maskNonCode(source);
    expect(masked).toHaveLength(source.length);
    expect(masked.split("\n")).toHaveLength(2);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source under test, not a template
    expect(masked.replace(/\s+/g, "")).toBe('a("")b(`${c(1)}`)x=//.test(s)');
  });
});

describe("tableNamesFromSchema", () => {
  it("reads the exported pgTable names", () => {
    const source =
      'export const portals = pgTable("portals", {});\nexport const portalRoleEnum = pgEnum("r", []);\nexport const users = pgTable(\n  "users", {});';
    expect(tableNamesFromSchema(source)).toEqual(["portals", "users"]);
  });
});

describe("findDocumentWrites", () => {
  it.each([
    ["a drizzle update", 'await db.update(documents).set({ status: "sent" }).where(x);'],
    ["an update on any receiver", "await (await getDb()).update(documents).set({ a: 1 }).where(x);"],
    ["an update over several lines", "await tx\n  .update(documents)\n  .set({ a: 1 })\n  .where(x);"],
    ["a drizzle insert", "await db.insert(documents).values(rows);"],
    ["a drizzle delete", "await db.delete(documents).where(x);"],
    ["schema.documents", "await db.update(schema.documents).set({ a: 1 }).where(x);"],
    [
      "raw SQL through the table object",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source under test, not a template
      "await db.execute(sql`update ${documents} set status = 'sent' where id = 1`);",
    ],
    ["raw SQL by name", "await db.execute(sql`update documents set status = 'sent' where id = 1`);"],
    ["a raw insert", 'await db.execute(sql`insert into "documents" (id) values (1)`);'],
    ["a raw delete", "await db.execute(sql`delete from documents where id = 1`);"],
  ])("flags %s", (_name, source) => {
    expect(findDocumentWrites(source)).toHaveLength(1);
  });

  it.each([
    ["a write of another table", "await db.update(dispatches).set({ a: 1 }).where(x);"],
    ["a read", "await db.select().from(documents).where(x);"],
    ["a map's delete", "seen.delete(documents);"],
    ["prose in a comment", "// the deliver job may update documents set by the life module\nconst a = 1;"],
    ["a doc comment", "/**\n * update documents set status … in one statement\n */\nconst a = 1;"],
    [
      "a marked fixture write",
      "await db\n  // lint-documents-ignore: benchmark fixtures\n  .update(documents)\n  .set({ a: 1 })\n  .where(x);",
    ],
    ["a marked raw insert", "await db.execute(sql`insert into documents (id) -- lint-documents-ignore: fixtures\n`);"],
  ])("leaves %s alone", (_name, source) => {
    expect(findDocumentWrites(source)).toEqual([]);
  });

  it("does not take a bare marker without a reason", () => {
    expect(
      findDocumentWrites("// lint-documents-ignore:\nawait db.update(documents).set({ a: 1 }).where(x);"),
    ).toHaveLength(1);
  });

  it("gives the line of each write", () => {
    expect(findDocumentWrites("const a = 1;\n\nawait db.delete(documents).where(x);")).toMatchObject([{ line: 3 }]);
  });
});
