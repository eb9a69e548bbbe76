import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  exactDeliveryThrottleKey,
  exactDossierSettingsSchema,
  exactSecretsSchema,
  exactSettingsSchema,
} from "@/lib/connectors/api/exact-online/config";

describe("Exact Online schemas", () => {
  it("defaults to the Belgian instance and accepts the other country hosts only", () => {
    expect(exactSettingsSchema.parse({})).toEqual({ region: "be" });
    for (const region of ["be", "nl", "de", "co.uk", "com", "es", "fr"]) {
      expect(exactSettingsSchema.safeParse({ region }).success).toBe(true);
    }
    expect(exactSettingsSchema.safeParse({ region: "us" }).success).toBe(false);
  });

  it("takes a base URL only as http(s)", () => {
    expect(exactSettingsSchema.parse({ baseUrl: " https://start.exactonline.nl " }).baseUrl).toBe(
      "https://start.exactonline.nl",
    );
    expect(exactSettingsSchema.safeParse({ baseUrl: "javascript:alert(1)" }).success).toBe(false);
    expect(exactSettingsSchema.safeParse({ baseUrl: "ftp://start.exactonline.be" }).success).toBe(false);
  });

  it("lets a connection exist before it is authorised (at most a client secret)", () => {
    expect(exactSecretsSchema.parse({})).toEqual({});
    expect(exactSecretsSchema.parse({ clientSecret: "s3cret" })).toEqual({ clientSecret: "s3cret" });
    expect(exactSecretsSchema.safeParse({ accessTokenExpiresAt: "tomorrow" }).success).toBe(false);
  });

  it("marks the grant's fields as managed, the client secret as a form field", () => {
    const json = z.toJSONSchema(exactSecretsSchema, { io: "input" }) as {
      properties: Record<string, { managed?: boolean; labelKey?: string }>;
    };
    expect(json.properties.clientSecret).toMatchObject({ labelKey: "connectors.exact.fields.clientSecret.label" });
    expect(json.properties.clientSecret?.managed).toBeUndefined();
    for (const name of ["accessToken", "accessTokenExpiresAt", "refreshToken", "refreshedAt"]) {
      expect(json.properties[name]).toMatchObject({ managed: true });
    }
  });

  it("asks a dossier for a positive whole division number", () => {
    expect(exactDossierSettingsSchema.parse({ division: 123456 })).toEqual({ division: 123456 });
    for (const division of [0, -1, 1.5, "123456", undefined]) {
      expect(exactDossierSettingsSchema.safeParse({ division }).success).toBe(false);
    }
  });
});

describe("exactDeliveryThrottleKey", () => {
  const key = (settings: unknown, division: unknown) => exactDeliveryThrottleKey(settings, { division });

  it("is one bucket per app, country instance and division", () => {
    const base = key({ region: "be" }, 100001);
    expect(base).toMatch(/^exact-online:[0-9a-f]{16}:100001$/);
    expect(key({}, 100001)).toBe(base);
    expect(key({ baseUrl: "https://start.exactonline.be/" }, 100001)).toBe(base);
    expect(key({ region: "be" }, 100002)).not.toBe(base);
    expect(key({ region: "nl" }, 100001)).not.toBe(base);
    expect(key({ region: "be", clientId: "office-app" }, 100001)).not.toBe(base);
  });

  it("is null when the settings do not parse", () => {
    expect(key({ region: "be" }, undefined)).toBeNull();
    expect(key({ region: "xx" }, 100001)).toBeNull();
  });
});
