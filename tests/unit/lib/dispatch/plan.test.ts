import { randomUUID } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { exactOnlineConnector } from "@/lib/connectors/api/exact-online";
import { ftpConnector } from "@/lib/connectors/ftp";
import type { Connector } from "@/lib/connectors/types";
import { DISPATCH_ERROR_CODES, dispatchErrorMessageKey } from "@/lib/dispatch/error-codes";
import {
  concurrencyKeyOf,
  type DeliveryRoute,
  deliveryLanesOf,
  MAIL_LANES,
  MAX_THROTTLE_KEY_LENGTH,
  resolveRoute,
  routeThrottleKey,
  targetFor,
  throttleKeyOf,
} from "@/lib/dispatch/plan";
import {
  AUTO_SEND_SKIP_REASONS,
  autoSendSkipMessageKey,
  SEND_REFUSALS,
  sendRefusalMessageKey,
} from "@/lib/documents/refusals";
import { LOCALES } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";
import { findPackage, type PackageEntry } from "@/lib/packages/catalog";

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
      // Clearfacts is an e-mail package: no API connector serves it.
      connection: { id: connectionId, packageId: "clearfacts", channel: "api", label: "Clearfacts", status },
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
  it("queues behind the connection when its connector has one lane (API)", () => {
    const connectionId = randomUUID();
    expect(concurrencyKeyOf({ id: randomUUID(), connectionId })).toBe(connectionId);
    expect(concurrencyKeyOf({ id: randomUUID(), connectionId, lanes: 1 })).toBe(connectionId);
  });

  it("spreads a connection over its connector's lanes (FTP: 2), always the same lane for one dispatch", () => {
    const connectionId = randomUUID();
    const ids = Array.from({ length: 100 }, () => randomUUID());
    const keys = new Set(ids.map((id) => concurrencyKeyOf({ id, connectionId, lanes: 2 })));
    expect([...keys].sort()).toEqual([`${connectionId}:0`, `${connectionId}:1`]);
    for (const id of ids.slice(0, 5)) {
      expect(concurrencyKeyOf({ id, connectionId, lanes: 2 })).toBe(concurrencyKeyOf({ id, connectionId, lanes: 2 }));
    }
  });

  it("gives FTP connections two lanes and API connections one", () => {
    expect(ftpConnector.deliveryLanes).toBe(2);
    expect(deliveryLanesOf({ kind: "connection", connector: ftpConnector } as unknown as DeliveryRoute)).toBe(2);
    expect(deliveryLanesOf({ kind: "connection", connector: exactOnlineConnector } as unknown as DeliveryRoute)).toBe(
      1,
    );
    expect(deliveryLanesOf({ kind: "email" } as unknown as DeliveryRoute)).toBe(1);
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

describe("throttle keys", () => {
  const exactEntry = findPackage("exact-online") as PackageEntry;
  const connection = {
    id: randomUUID(),
    packageId: "exact-online",
    channel: "api",
    label: "Exact",
    status: "connected",
  };

  /** A stand-in API connector; `throttleKey` becomes its deliveryThrottle's key when given. */
  function apiConnector(
    throttleKey?: (settings: { host: string }, dossierSettings: { division: number }) => string | null,
  ) {
    return {
      id: "test-exact",
      channel: "api",
      settingsSchema: z.object({ host: z.string() }),
      secretsSchema: z.object({}),
      dossierSettingsSchema: z.object({ division: z.number().int() }),
      check: async () => ({ ok: true as const, checkedAt: new Date() }),
      deliver: async () => ({ packageReference: null, target: {} }),
      ...(throttleKey ? { deliveryThrottle: { deliveriesPerMinute: 30, key: throttleKey } } : {}),
    } as unknown as Connector;
  }

  function connectionRoute(connector: Connector, dossierSettings: unknown): DeliveryRoute {
    return {
      kind: "connection",
      connector,
      packageEntry: exactEntry,
      connection: connection as Extract<DeliveryRoute, { kind: "connection" }>["connection"],
      dossierSettings,
    };
  }

  const byDivision = (settings: { host: string }, dossierSettings: { division: number }) =>
    `${settings.host}:${dossierSettings.division}`;

  it("puts the deliveries to one division in one bucket, and another division in another", () => {
    const connector = apiConnector(byDivision);
    const settings = { host: "start.exactonline.be" };
    const first = routeThrottleKey(connectionRoute(connector, { division: 123 }), settings);
    expect(first).toBe("test-exact:start.exactonline.be:123");
    expect(routeThrottleKey(connectionRoute(connector, { division: 123 }), settings)).toBe(first);
    expect(routeThrottleKey(connectionRoute(connector, { division: 456 }), settings)).not.toBe(first);
    // The route's bucket is every dispatch's key.
    expect(throttleKeyOf(randomUUID(), first)).toBe(first);
  });

  it("keeps a key that already names the connector as it is", () => {
    const connector = apiConnector((_, dossierSettings) => `test-exact:${dossierSettings.division}`);
    expect(routeThrottleKey(connectionRoute(connector, { division: 7 }), { host: "h" })).toBe("test-exact:7");
  });

  it("gives an unthrottled delivery a bucket of its own: its dispatch id", async () => {
    const dispatchId = randomUUID();
    // A connector without deliveryThrottle, or one whose key is null.
    for (const connector of [apiConnector(), apiConnector(() => null)]) {
      const key = routeThrottleKey(connectionRoute(connector, { division: 1 }), { host: "h" });
      expect(key).toBeNull();
      expect(throttleKeyOf(dispatchId, key)).toBe(dispatchId);
    }
    // Mail is never throttled.
    const mail = await resolveRoute({
      dossier: DOSSIER,
      integration: { kind: "free_email", connectionId: null, packageId: null, settings: { addresses: ADDRESSES } },
      connection: null,
    });
    if (!mail.ok) throw new Error(mail.reason);
    expect(routeThrottleKey(mail.route, {})).toBeNull();
  });

  it("never lets settings that do not parse, or a connector that throws, stop a send", () => {
    const throttled = apiConnector(byDivision);
    expect(routeThrottleKey(connectionRoute(throttled, { division: "x" }), { host: "h" })).toBeNull();
    expect(routeThrottleKey(connectionRoute(throttled, { division: 1 }), { nohost: true })).toBeNull();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const throwing = apiConnector(() => {
      throw new Error("bug");
    });
    expect(routeThrottleKey(connectionRoute(throwing, { division: 1 }), { host: "h" })).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it("hashes a key too long for a job payload, still one bucket per value", () => {
    const connector = apiConnector((settings, dossierSettings) => `${settings.host}:${dossierSettings.division}`);
    const long = { host: "h".repeat(300) };
    const key = routeThrottleKey(connectionRoute(connector, { division: 1 }), long);
    expect(key).toMatch(/^test-exact:sha256:[0-9a-f]{64}$/);
    expect(key?.length).toBeLessThanOrEqual(MAX_THROTTLE_KEY_LENGTH);
    expect(routeThrottleKey(connectionRoute(connector, { division: 1 }), long)).toBe(key);
    expect(routeThrottleKey(connectionRoute(connector, { division: 2 }), long)).not.toBe(key);
  });
});

describe("reason codes", () => {
  it.each(LOCALES)("every refusal, skip reason and dispatch error has a %s message", (locale) => {
    const keys = [
      ...SEND_REFUSALS.map(sendRefusalMessageKey),
      ...AUTO_SEND_SKIP_REASONS.map(autoSendSkipMessageKey),
      ...DISPATCH_ERROR_CODES.map(dispatchErrorMessageKey),
    ];
    const missing = keys.filter((key) => typeof messageAt(locale, key) !== "string");
    expect(missing).toEqual([]);
  });
});
