import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { selectDriver } from "@/db/driver";
import { resetEnvCache } from "@/lib/env";

describe("selectDriver", () => {
  let savedDriver: string | undefined;
  beforeEach(() => {
    savedDriver = process.env.DATABASE_DRIVER;
    delete process.env.DATABASE_DRIVER;
    resetEnvCache();
  });
  afterEach(() => {
    if (savedDriver === undefined) delete process.env.DATABASE_DRIVER;
    else process.env.DATABASE_DRIVER = savedDriver;
    resetEnvCache();
  });

  it.each([undefined, "", "   "])("picks embedded PGlite when DATABASE_URL is %j", (url) => {
    expect(selectDriver(url)).toBe("pglite");
  });

  it.each([
    "postgres://user:secret@ep-cool-darkness-123456.eu-central-1.aws.neon.tech/koppel?sslmode=require",
    "postgresql://user:secret@ep-cool-darkness-123456-pooler.eu-central-1.aws.neon.tech/koppel",
    "postgres://user@EP-UPPER.EU-CENTRAL-1.AWS.NEON.TECH/koppel",
    "postgres://user@ep-new.eu-central-1.aws.neon.build/koppel",
  ])("picks the Neon serverless driver for a Neon host: %s", (url) => {
    expect(selectDriver(url)).toBe("neon");
  });

  it.each([
    "postgres://postgres@127.0.0.1:5432/koppel",
    "postgresql://koppel:secret@db.internal:5432/koppel",
    "postgres://postgres@localhost/koppel",
    // Look-alikes are not Neon.
    "postgres://user@notneon.tech/koppel",
    "postgres://user@neon.tech.example.com/koppel",
  ])("picks node-postgres for any other Postgres URL: %s", (url) => {
    expect(selectDriver(url)).toBe("node-postgres");
  });

  it("picks Neon for a plain host when DATABASE_DRIVER=neon (local proxy testing)", () => {
    process.env.DATABASE_DRIVER = "neon";
    resetEnvCache();
    expect(selectDriver("postgres://postgres@127.0.0.1:5432/koppel")).toBe("neon");
  });

  it("still picks PGlite without a URL when DATABASE_DRIVER=neon", () => {
    process.env.DATABASE_DRIVER = "neon";
    resetEnvCache();
    expect(selectDriver(undefined)).toBe("pglite");
  });

  it.each([
    ["mysql://root@127.0.0.1:3306/koppel", /postgres:\/\//],
    ["sqlite:///tmp/koppel.db", /postgres:\/\//],
    ["https://ep-x.eu-central-1.aws.neon.tech", /postgres:\/\//],
    ["not a url", /not a valid URL/],
    ["127.0.0.1:5432/koppel", /not a valid URL/],
  ])("refuses %j", (url, message) => {
    expect(() => selectDriver(url)).toThrow(message);
  });
});
