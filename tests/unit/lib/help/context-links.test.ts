import { describe, expect, it } from "vitest";
import { missingHelpTarget } from "@/lib/help/content";
import { listContextHelpLinks } from "@/lib/help/context-links";
import {
  addressesHelpHref,
  connectionFieldHelpHref,
  failureGroupHelpHref,
  packageHelpHref,
  refusalHelpHref,
} from "@/lib/help/links";
import { LOCALES } from "@/lib/i18n/config";

describe("the in-app help links", () => {
  it("are built the one way the content contract names", () => {
    expect(packageHelpHref("exact-online")).toBe("/help/exact-online");
    expect(failureGroupHelpHref("reauth")).toBe("/help/failure-queue#group-reauth");
    expect(refusalHelpHref("archived")).toBe("/help/sending#refusal-archived");
    expect(connectionFieldHelpHref("exact-online", "api", "division")).toBe("/help/exact-online#field-division");
    expect(connectionFieldHelpHref("expert-m", "ftp", "host")).toBe("/help/send-by-ftp#field-host");
    expect(addressesHelpHref("octopus")).toBe("/help/octopus#addresses");
  });

  it("cover every package, failure group, refusal and connection form field", async () => {
    const links = await listContextHelpLinks();
    const wheres = links.map((link) => link.where);
    expect(wheres).toContain("package card generic-ftp");
    expect(wheres).toContain("failure group unreachable");
    expect(wheres).toContain("refusal auto_send_off");
    expect(wheres).toContain("ftp connection form of generic-ftp, field host");
    expect(wheres.some((where) => where.startsWith("api connection form of exact-online"))).toBe(true);
    expect(wheres.some((where) => where.includes("test-api"))).toBe(false);
  });

  it.each(LOCALES)("all lead to an existing article and section in %s", async (locale) => {
    const links = await listContextHelpLinks();
    const broken = links.flatMap((link) => {
      const missing = missingHelpTarget(link.href, locale);
      return missing ? [`${link.where} (${link.href}): ${missing}`] : [];
    });
    expect(broken).toEqual([]);
  });
});
