import { describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { landingPath } from "@/lib/portals/landing";

const PORTAL = "11111111-1111-4111-8111-111111111111";
const OTHER_PORTAL = "22222222-2222-4222-8222-222222222222";
const DOSSIER = "33333333-3333-4333-8333-333333333333";

const person = (
  portalRoles: Record<string, "admin" | "accountant">,
  dossiers: Record<string, string> = {},
): Extract<Actor, { kind: "user" }> => ({
  kind: "user",
  userId: "66666666-6666-4666-8666-666666666666",
  portalRoles,
  dossiers,
});

describe("landingPath", () => {
  it("lands admins and accountants on their portal", () => {
    expect(landingPath(person({ [PORTAL]: "admin" }))).toBe(`/portals/${PORTAL}`);
    expect(landingPath(person({ [PORTAL]: "accountant" }))).toBe(`/portals/${PORTAL}`);
  });

  it("lands an entrepreneur on their dossier, and a person with both on the portal", () => {
    expect(landingPath(person({}, { [DOSSIER]: PORTAL }))).toBe(`/dossiers/${DOSSIER}`);
    expect(landingPath(person({ [OTHER_PORTAL]: "accountant" }, { [DOSSIER]: PORTAL }))).toBe(
      `/portals/${OTHER_PORTAL}`,
    );
  });

  it("says there is no access yet without a membership", () => {
    expect(landingPath(person({}))).toBe("/no-access");
  });
});
