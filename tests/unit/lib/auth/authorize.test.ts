import { describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { authorize, can, type Resource } from "@/lib/auth/authorize";
import { ACTIONS, type Action } from "@/lib/auth/permissions";
import { ACTION_SCOPES, API_SCOPES, type ApiScope } from "@/lib/auth/scopes";
import { ForbiddenError, NotFoundError } from "@/lib/errors";

// The design map's "Who may do what" table (shared/design.md), written out by hand so this test
// fails when lib/auth/permissions.ts drifts from it. Deliberately not derived from PERMISSIONS.
//   allow     = may do it
//   forbidden = sees the resource but lacks the role (403)
//   not_found = may not even know the resource exists (404)
// The entrepreneur is never a portal member: portal-level data (connections, tokens, members, the
// portal overview) is invisible to them (not_found); on their own dossier they see the
// integration but may not configure it (forbidden, the design's "no (sees it)").
// Two actions are for people only: connecting a package by OAuth needs an admin in a browser (API
// tokens and the system get 403), and the failure digest is a setting of an admin's own membership,
// which nobody else has (404, also to the portal's accountants).

type Outcome = "allow" | "forbidden" | "not_found";
type Scope = "portal" | "dossier";

// yes = allow; 403 = sees the resource but lacks the role; 404 = may not know it exists.
// Scope says what the resource names: the portal only, or a dossier of it (the entrepreneur's own).
const TABLE = `
action                       | scope   | admin | accountant | entrepreneur | token admin | token accountant | system
portal.view                  | portal  | yes   | yes        | 404          | yes         | yes              | yes
connection.view              | portal  | yes   | yes        | 404          | yes         | yes              | yes
connection.manage            | portal  | yes   | 403        | 404          | 403         | 403              | yes
connection.authorize         | portal  | yes   | 403        | 404          | 403         | 403              | 403
token.manage                 | portal  | yes   | 403        | 404          | 403         | 403              | yes
member.manage                | portal  | yes   | 403        | 404          | 403         | 403              | yes
webhook.manage               | portal  | yes   | 403        | 404          | yes         | 403              | yes
dossier.create               | portal  | yes   | yes        | 404          | yes         | yes              | yes
failure.view                 | portal  | yes   | yes        | 404          | yes         | yes              | yes
failure.retry                | portal  | yes   | yes        | 404          | yes         | yes              | yes
deliveryLog.export           | portal  | yes   | yes        | 404          | yes         | yes              | yes
failureDigest.manage         | portal  | yes   | 404        | 404          | 404         | 404              | 404
dossier.view                 | dossier | yes   | yes        | yes          | yes         | yes              | yes
dossier.update               | dossier | yes   | yes        | 403          | yes         | yes              | yes
dossierMember.manage         | dossier | yes   | yes        | 403          | 403         | 403              | yes
dossierIntegration.view      | dossier | yes   | yes        | yes          | yes         | yes              | yes
dossierIntegration.configure | dossier | yes   | yes        | 403          | 403         | 403              | yes
dossier.autoSend             | dossier | yes   | yes        | yes          | yes         | yes              | yes
document.view                | dossier | yes   | yes        | yes          | yes         | yes              | yes
document.upload              | dossier | yes   | yes        | yes          | yes         | yes              | yes
document.type                | dossier | yes   | yes        | yes          | yes         | yes              | yes
document.send                | dossier | yes   | yes        | yes          | yes         | yes              | yes
document.retry               | dossier | yes   | yes        | yes          | yes         | yes              | yes
document.archive             | dossier | yes   | yes        | yes          | yes         | yes              | yes
document.delete              | dossier | yes   | yes        | yes          | yes         | yes              | yes
`;

const OUTCOME: Record<string, Outcome> = { yes: "allow", "403": "forbidden", "404": "not_found" };
const [HEADER = [], ...ROWS] = TABLE.trim()
  .split("\n")
  .map((line) => line.split("|").map((cell) => cell.trim()));
const EXPECTED = new Map(
  ROWS.map(([action = "", scope, ...outcomes]) => {
    if (scope !== "portal" && scope !== "dossier") throw new Error(`bad scope in row ${action}`);
    const parsed = outcomes.map((cell) => {
      const outcome = OUTCOME[cell];
      if (!outcome) throw new Error(`bad cell "${cell}" in row ${action}`);
      return outcome;
    });
    if (parsed.length !== 6) throw new Error(`row ${action} needs 6 outcomes`);
    return [action, { scope: scope as Scope, outcomes: parsed }];
  }),
);

function expectedRow(action: Action) {
  const row = EXPECTED.get(action);
  if (!row) throw new Error(`no expected row for ${action}`);
  return row;
}

const PORTAL = "11111111-1111-4111-8111-111111111111";
const OTHER_PORTAL = "22222222-2222-4222-8222-222222222222";
const OWN_DOSSIER = "33333333-3333-4333-8333-333333333333";
const OTHER_DOSSIER = "44444444-4444-4444-8444-444444444444"; // same portal, not the entrepreneur's
const OTHER_PORTAL_DOSSIER = "55555555-5555-4555-8555-555555555555";

const user = (portalRoles: Record<string, "admin" | "accountant">, dossiers: Record<string, string> = {}): Actor => ({
  kind: "user",
  userId: "66666666-6666-4666-8666-666666666666",
  portalRoles,
  dossiers,
});
// The table's key columns hold every scope: what a key's role allows, and which actions no key may.
const token = (portalId: string, role: "admin" | "accountant", scopes: readonly ApiScope[] = API_SCOPES): Actor => ({
  kind: "token",
  tokenId: "77777777-7777-4777-8777-777777777777",
  portalId,
  role,
  scopes,
});

/** The table's actor columns, by header. */
const COLUMN_ACTORS: Record<string, { name: string; actor: Actor }> = {
  admin: { name: "admin of the portal", actor: user({ [PORTAL]: "admin" }) },
  accountant: { name: "accountant of the portal", actor: user({ [PORTAL]: "accountant" }) },
  entrepreneur: { name: "entrepreneur on own dossier", actor: user({}, { [OWN_DOSSIER]: PORTAL }) },
  "token admin": { name: "API token, admin role", actor: token(PORTAL, "admin") },
  "token accountant": { name: "API token, accountant role", actor: token(PORTAL, "accountant") },
  system: { name: "system actor", actor: { kind: "system", reason: "auto-send" } },
};
const COLUMNS = HEADER.slice(2).map((header) => {
  const column = COLUMN_ACTORS[header];
  if (!column) throw new Error(`unknown column "${header}"`);
  return column;
});

function resourceFor(action: Action, dossierId = OWN_DOSSIER, portalId = PORTAL): Resource {
  return expectedRow(action).scope === "dossier" ? { portalId, dossierId } : { portalId };
}

/** What authorize does, as an outcome: returns, throws NotFoundError, or throws ForbiddenError. */
function outcomeOf(actor: Actor, action: Action, resource: Resource): Outcome {
  try {
    authorize(actor, action, resource);
    return "allow";
  } catch (error) {
    if (error instanceof NotFoundError) return "not_found";
    if (error instanceof ForbiddenError) return "forbidden";
    throw error;
  }
}

describe("the permission table", () => {
  it("has an expected row for every action and no row for an unknown one", () => {
    expect([...EXPECTED.keys()].sort()).toEqual([...ACTIONS].sort());
  });

  it("has a column for each kind of actor", () => {
    expect(COLUMNS.map((column) => column.name)).toEqual(Object.values(COLUMN_ACTORS).map((column) => column.name));
  });

  // Tuples, so the test names read "connection.manage, accountant of the portal → forbidden".
  const cells = ACTIONS.flatMap((action) =>
    COLUMNS.map(
      (column, index) => [action, column.name, expectedRow(action).outcomes[index] as Outcome, column.actor] as const,
    ),
  );

  it.each(cells)("%s, %s → %s", (action, _column, expected, actor) => {
    const resource = resourceFor(action);
    expect(outcomeOf(actor, action, resource)).toBe(expected);
    expect(can(actor, action, resource)).toBe(expected === "allow");
  });
});

describe("the never row: other portals' and other dossiers' data", () => {
  const NEVER: { name: string; actor: Actor; resource: (action: Action) => Resource }[] = [
    { name: "admin of another portal", actor: user({ [OTHER_PORTAL]: "admin" }), resource: (a) => resourceFor(a) },
    {
      name: "accountant of another portal",
      actor: user({ [OTHER_PORTAL]: "accountant" }),
      resource: (a) => resourceFor(a),
    },
    { name: "API token of another portal, admin role", actor: token(OTHER_PORTAL, "admin"), resource: resourceFor },
    {
      name: "API token of another portal, accountant role",
      actor: token(OTHER_PORTAL, "accountant"),
      resource: resourceFor,
    },
    {
      name: "entrepreneur on another dossier of the same portal",
      actor: user({}, { [OWN_DOSSIER]: PORTAL }),
      resource: (a) => resourceFor(a, OTHER_DOSSIER),
    },
    {
      name: "entrepreneur on another portal's dossier",
      actor: user({}, { [OWN_DOSSIER]: PORTAL }),
      resource: (a) => resourceFor(a, OTHER_PORTAL_DOSSIER, OTHER_PORTAL),
    },
    {
      name: "entrepreneur whose own dossier id is claimed under another portal",
      actor: user({}, { [OWN_DOSSIER]: PORTAL }),
      resource: (a) => resourceFor(a, OWN_DOSSIER, OTHER_PORTAL),
    },
    {
      name: "entrepreneur of another portal's dossier on this portal",
      actor: user({}, { [OTHER_PORTAL_DOSSIER]: OTHER_PORTAL }),
      resource: (a) => resourceFor(a),
    },
  ];

  const cells = ACTIONS.flatMap((action) =>
    NEVER.map((column) => [action, column.name, column.actor, column.resource(action)] as const),
  );

  it.each(cells)("%s, %s → not_found", (action, _column, actor, resource) => {
    expect(outcomeOf(actor, action, resource)).toBe("not_found");
    expect(can(actor, action, resource)).toBe(false);
  });
});

describe("authorize's errors", () => {
  it("throws NotFoundError (404, code not_found) when the actor may not know the resource", () => {
    const error = catchError(() =>
      authorize(user({ [OTHER_PORTAL]: "admin" }), "document.view", { portalId: PORTAL, dossierId: OWN_DOSSIER }),
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).not.toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code: "not_found", httpStatus: 404 });
  });

  it("throws ForbiddenError (403, generic message key) when the actor sees the resource but lacks the role", () => {
    const error = catchError(() =>
      authorize(user({ [PORTAL]: "accountant" }), "connection.manage", { portalId: PORTAL }),
    );
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).not.toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ code: "forbidden", httpStatus: 403, messageKey: "forbidden" });
  });

  it("throws ForbiddenError to an entrepreneur configuring their own dossier's integration", () => {
    const error = catchError(() =>
      authorize(user({}, { [OWN_DOSSIER]: PORTAL }), "dossierIntegration.configure", {
        portalId: PORTAL,
        dossierId: OWN_DOSSIER,
      }),
    );
    expect(error).toBeInstanceOf(ForbiddenError);
  });

  it("says why an API token or the system may not connect a package by OAuth, and stays generic for a role", () => {
    const portal = { portalId: PORTAL };
    for (const actor of [token(PORTAL, "admin"), { kind: "system", reason: "job" } as const]) {
      expect(catchError(() => authorize(actor, "connection.authorize", portal))).toMatchObject({
        code: "forbidden",
        messageKey: "oauthNeedsPerson",
      });
    }
    for (const actor of [user({ [PORTAL]: "accountant" }), token(PORTAL, "accountant")]) {
      expect(catchError(() => authorize(actor, "connection.authorize", portal))).toMatchObject({
        code: "forbidden",
        messageKey: "forbidden",
      });
    }
  });

  it("answers not_found, never forbidden, to an accountant asking for the failure digest setting", () => {
    const error = catchError(() =>
      authorize(user({ [PORTAL]: "accountant" }), "failureDigest.manage", { portalId: PORTAL }),
    );
    expect(error).toBeInstanceOf(NotFoundError);
  });

  it("returns nothing when allowed", () => {
    expect(authorize(token(PORTAL, "admin"), "dossier.create", { portalId: PORTAL })).toBeUndefined();
  });

  it("answers not_found to an entrepreneur on a dossier action without a dossier in the resource", () => {
    expect(outcomeOf(user({}, { [OWN_DOSSIER]: PORTAL }), "document.view", { portalId: PORTAL })).toBe("not_found");
  });
});

describe("API key scopes", () => {
  // Every action a key's role allows, with one scope missing at a time: the action is allowed
  // exactly when the key holds the scope ACTION_SCOPES names for it.
  const cells = ACTIONS.flatMap((action) => API_SCOPES.map((missing) => [action, missing] as const));

  it.each(cells)("%s, an admin key without %s", (action, missing) => {
    const actor = token(
      PORTAL,
      "admin",
      API_SCOPES.filter((scope) => scope !== missing),
    );
    const withAll = outcomeOf(token(PORTAL, "admin"), action, resourceFor(action));
    const expected = withAll === "allow" && ACTION_SCOPES[action] === missing ? "forbidden" : withAll;
    expect(outcomeOf(actor, action, resourceFor(action))).toBe(expected);
  });

  it("allows nothing to a key without scopes", () => {
    for (const action of ACTIONS) expect(can(token(PORTAL, "admin", []), action, resourceFor(action))).toBe(false);
  });

  it("says why a key is refused: a missing scope, or an action no key may do", () => {
    expect(
      catchError(() =>
        authorize(token(PORTAL, "admin", ["documents:read"]), "document.send", resourceFor("document.send")),
      ),
    ).toMatchObject({ httpStatus: 403, messageKey: "apiKeyMissingScope" });
    expect(catchError(() => authorize(token(PORTAL, "admin"), "member.manage", { portalId: PORTAL }))).toMatchObject({
      httpStatus: 403,
      messageKey: "apiKeyNotAllowed",
    });
  });
});

function catchError(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}
