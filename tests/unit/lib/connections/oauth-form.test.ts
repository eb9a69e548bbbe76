import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  coerceFormValues,
  connectionFormOf,
  formFieldsOf,
  managedFieldNamesOf,
  secretFieldNamesOf,
} from "@/lib/connections/form";

// The secrets of an OAuth package: a client secret the admin types, and tokens Koppel obtains
// itself, marked `.meta({ managed: true })` wherever the connector puts the marker.
const secretsSchema = z.object({
  clientSecret: z.string().min(1).optional(),
  accessToken: z.string().optional().meta({ managed: true }),
  refreshToken: z.string().meta({ managed: true }).optional(),
  accessTokenExpiresAt: z.number().int().nullable().meta({ managed: true }).optional(),
  grant: z.object({ scope: z.string() }).optional().meta({ managed: true }),
});
const settingsSchema = z.object({
  region: z.enum(["be", "nl"]).default("be"),
  baseUrl: z.url().optional(),
  clientId: z.string().optional(),
});

describe("managed secret fields", () => {
  it("are left out of the generated form", () => {
    const form = connectionFormOf({ settingsSchema, secretsSchema });
    expect(form.settings.map((field) => field.name)).toEqual(["region", "baseUrl", "clientId"]);
    expect(form.secrets.map((field) => field.name)).toEqual(["clientSecret"]);
    expect(form.secrets[0]).toMatchObject({ isSecret: true, isRequired: false });
  });

  it("have no set / not set flag, and are named apart", () => {
    expect(secretFieldNamesOf(secretsSchema)).toEqual(["clientSecret"]);
    expect(managedFieldNamesOf(secretsSchema)).toEqual([
      "accessToken",
      "refreshToken",
      "accessTokenExpiresAt",
      "grant",
    ]);
    expect(managedFieldNamesOf(settingsSchema)).toEqual([]);
  });

  it("cannot be typed in: posted values for them are dropped", () => {
    const posted = { clientSecret: "s3cret", accessToken: "typed", refreshToken: "typed", accessTokenExpiresAt: "1" };
    expect(coerceFormValues(formFieldsOf(secretsSchema, true), posted)).toEqual({ clientSecret: "s3cret" });
  });
});
