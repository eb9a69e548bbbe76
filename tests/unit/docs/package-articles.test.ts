import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type Channel, enableTestOnlyPackages, listPackages, type PackageEntry } from "@/lib/packages/catalog";

/**
 * Every package of the catalog has its help article in docs/integrations (the page an office reads
 * to set it up): `<package id>.md` whose title names the package, or, for a package reached only by
 * FTP, its own section (a `### ` heading naming it) in the shared ftp.md. Read from the catalog, so
 * a new package is checked without a line here (docs/adding-a-package.md).
 */

const DOCS = fileURLToPath(new URL("../../../docs/integrations/", import.meta.url));
const read = (file: string) => readFileSync(`${DOCS}${file}`, "utf8");

/** Whether a line names the package as a whole word ("FTP" in "generic FTP", not in "SFTP"). */
function namesPackage(line: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return new RegExp(`(^|[^\\w/])${escaped}($|[^\\w/])`).test(line);
}

/** The article of a package: the file and the heading that names it, or null when there is none. */
function articleOf(entry: PackageEntry): { file: string; heading: string } | null {
  const own = `${entry.id}.md`;
  if (existsSync(`${DOCS}${own}`)) {
    const title = read(own).match(/^# (.+)$/m)?.[1] ?? "";
    return namesPackage(title, entry.name) ? { file: own, heading: title } : null;
  }
  const isFtpOnly = entry.channels.every((channel: Channel) => channel === "ftp");
  if (!isFtpOnly) return null;
  const section = read("ftp.md")
    .split("\n")
    .find((line) => line.startsWith("### ") && namesPackage(line, entry.name));
  return section ? { file: "ftp.md", heading: section.slice(4) } : null;
}

// A test-only package has its article too (it shows what a package's article holds).
enableTestOnlyPackages();

describe("package articles", () => {
  it.each(listPackages().map((entry): [string, PackageEntry] => [entry.id, entry]))(
    "%s has its article in docs/integrations",
    (_, entry) => {
      expect(articleOf(entry)).not.toBeNull();
    },
  );
});

/** The pages that list packages for people: the project's README and the integrations guide's index. */
const OVERVIEWS = ["../../../README.md", "../../../docs/integrations/README.md"].map((relative) => ({
  file: relative.replace(/^(\.\.\/)+/, ""),
  text: readFileSync(fileURLToPath(new URL(relative, import.meta.url)), "utf8"),
}));

describe("test-only packages in the overviews", () => {
  const testOnly = listPackages().filter((entry) => entry.isTestOnly);

  it("exist in the catalog (else this check checks nothing)", () => {
    expect(testOnly.length).toBeGreaterThan(0);
  });

  it.each(OVERVIEWS.map((overview): [string, string] => [overview.file, overview.text]))(
    "%s names no test-only package and links no test-only article",
    (_, text) => {
      for (const entry of testOnly) {
        expect(namesPackage(text, entry.name)).toBe(false);
        expect(text).not.toContain(`${entry.id}.md`);
      }
    },
  );
});
