import { describe, expect, it } from "vitest";
import { portalTabsFor } from "@/app/(app)/portals/[portalId]/_components/portal-tabs";
import type { Actor } from "@/lib/auth/actor";

const PORTAL = "11111111-1111-4111-8111-111111111111";
const OTHER_PORTAL = "22222222-2222-4222-8222-222222222222";
const DOSSIER = "33333333-3333-4333-8333-333333333333";

const person = (portalRoles: Record<string, "admin" | "accountant">, dossiers: Record<string, string> = {}): Actor => ({
  kind: "user",
  userId: "66666666-6666-4666-8666-666666666666",
  portalRoles,
  dossiers,
});

describe("portalTabsFor", () => {
  it("gives the office's accountants its dossiers, integrations and failure queue", () => {
    expect(portalTabsFor(person({ [PORTAL]: "accountant" }), PORTAL)).toEqual(["dossiers", "integrations", "failures"]);
  });

  it("gives the office's admins its members as well", () => {
    expect(portalTabsFor(person({ [PORTAL]: "admin" }), PORTAL)).toEqual([
      "dossiers",
      "integrations",
      "failures",
      "members",
    ]);
  });

  it("gives no tab to an entrepreneur of one of its dossiers or to another office's admin", () => {
    expect(portalTabsFor(person({}, { [DOSSIER]: PORTAL }), PORTAL)).toEqual([]);
    expect(portalTabsFor(person({ [OTHER_PORTAL]: "admin" }), PORTAL)).toEqual([]);
  });
});
