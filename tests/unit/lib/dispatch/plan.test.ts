import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { concurrencyKeyOf, MAIL_LANES, resolveRoute, targetFor } from "@/lib/dispatch/plan";
import {
  AUTO_SEND_SKIP_REASONS,
  autoSendSkipMessageKey,
  DISPATCH_ERROR_CODES,
  dispatchErrorMessageKey,
  refusalMessageKey,
  SEND_REFUSAL_REASONS,
} from "@/lib/dispatch/refusals";
import { LOCALES } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";

const DOSSIER = { id: randomUUID(), name: "Dossier", companyNumber: "0401234567", vatNumber: "BE0401234567" };
const ADDRESSES = { purchase: "aankoop@kantoor.example", sales: null, other: null };

function messageAt(locale: (typeof LOCALES)[number], key: string): unknown {
  return key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], MESSAGES[locale]);
}

describe("resolveRoute", () => {
  it("has no route without an integration, or with 'no integration needed'", async () => {
    expect(await resolveRoute({ dossier: DOSSIER, integration: null, connection: null })).toEqual({
      ok: false,
      reason: "no_integration",
    });
    expect(
      await resolveRoute({
        dossier: DOSSIER,
        integration: { kind: "none", connectionId: null, packageId: null, settings: {} },
        connection: null,
      }),
    ).toEqual({ ok: false, reason: "integration_none" });
  });

  it("says a stored integration that does not parse is incomplete", async () => {
    expect(
      await resolveRoute({
        dossier: DOSSIER,
        integration: { kind: "free_email", connectionId: null, packageId: null, settings: { nope: true } },
        connection: null,
      }),
    ).toEqual({ ok: false, reason: "integration_incomplete" });
  });

  it.each([
    ["disabled", "connection_disabled"],
    ["needs_reauth", "connection_needs_reauth"],
    ["connected", "connector_unavailable"],
  ] as const)("refuses a connection that is %s with %s", async (status, reason) => {
    const connectionId = randomUUID();
    const result = await resolveRoute({
      dossier: DOSSIER,
      integration: { kind: "connection", connectionId, packageId: null, settings: {} },
      connection: { id: connectionId, packageId: "exact-online", channel: "api", label: "Exact", status },
    });
    expect(result).toEqual({ ok: false, reason });
  });

  it("routes free mail through the e-mail connector, per category", async () => {
    const result = await resolveRoute({
      dossier: DOSSIER,
      integration: { kind: "free_email", connectionId: null, packageId: null, settings: { addresses: ADDRESSES } },
      connection: null,
    });
    if (!result.ok) throw new Error(result.reason);
    expect(result.route.connector.id).toBe("email");
    expect(targetFor(result.route, "receipt")).toEqual({
      ok: true,
      target: { channel: "email", packageId: null, category: "purchase", to: ADDRESSES.purchase },
    });
    expect(targetFor(result.route, "sales_invoice")).toEqual({ ok: false, reason: "integration_incomplete" });
  });
});

describe("concurrencyKeyOf", () => {
  it("queues behind the connection for API and FTP", () => {
    const connectionId = randomUUID();
    expect(concurrencyKeyOf({ id: randomUUID(), connectionId })).toBe(connectionId);
  });

  it("spreads mail over a few lanes, always the same lane for one dispatch", () => {
    const ids = Array.from({ length: 200 }, () => randomUUID());
    const lanes = new Set(ids.map((id) => concurrencyKeyOf({ id, connectionId: null })));
    expect([...lanes].sort()).toEqual(Array.from({ length: MAIL_LANES }, (_, lane) => `email:${lane}`));
    for (const id of ids.slice(0, 5)) {
      expect(concurrencyKeyOf({ id, connectionId: null })).toBe(concurrencyKeyOf({ id, connectionId: null }));
    }
  });
});

describe("reason codes", () => {
  it.each(LOCALES)("every refusal, skip reason and dispatch error has a %s message", (locale) => {
    const keys = [
      ...SEND_REFUSAL_REASONS.map(refusalMessageKey),
      ...AUTO_SEND_SKIP_REASONS.map(autoSendSkipMessageKey),
      ...DISPATCH_ERROR_CODES.map(dispatchErrorMessageKey),
    ];
    const missing = keys.filter((key) => typeof messageAt(locale, key) !== "string");
    expect(missing).toEqual([]);
  });
});
