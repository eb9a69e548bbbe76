import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  coerceFormValues,
  connectionValuesFromFormData,
  connectorFieldErrorsOf,
  formFieldsOf,
} from "@/lib/connections/form";

const settingsSchema = z.object({
  host: z.string().min(1).meta({ labelKey: "connectors.ftp.host", hintKey: "connectors.ftp.hostHint" }),
  port: z.number().int().min(1).max(65535).default(21),
  ratio: z.number().optional(),
  security: z.enum(["explicit", "implicit"]).default("explicit"),
  region: z.enum(["be", "nl"]).nullable().optional(),
  baseUrl: z.url().optional(),
  passive: z.boolean().default(true),
  // Not typeable in a form: left out.
  tags: z.array(z.string()).default([]),
});

describe("formFieldsOf", () => {
  const fields = formFieldsOf(settingsSchema, false);
  const byName = Object.fromEntries(fields.map((field) => [field.name, field]));

  it("derives one field per typeable property, in schema order", () => {
    expect(fields.map((field) => [field.name, field.kind])).toEqual([
      ["host", "string"],
      ["port", "integer"],
      ["ratio", "number"],
      ["security", "enum"],
      ["region", "enum"],
      ["baseUrl", "string"],
      ["passive", "boolean"],
    ]);
  });

  it("marks required fields: no default, not optional", () => {
    expect(fields.filter((field) => field.isRequired).map((field) => field.name)).toEqual(["host"]);
  });

  it("carries label and hint keys, defaults, limits, options and formats", () => {
    expect(byName.host).toMatchObject({ labelKey: "connectors.ftp.host", hintKey: "connectors.ftp.hostHint" });
    expect(byName.port).toMatchObject({ defaultValue: 21, minimum: 1, maximum: 65535 });
    expect(byName.security).toMatchObject({ options: ["explicit", "implicit"], defaultValue: "explicit" });
    expect(byName.region).toMatchObject({ options: ["be", "nl"], isRequired: false });
    expect(byName.baseUrl).toMatchObject({ format: "uri" });
    expect(byName.passive).toMatchObject({ defaultValue: true });
  });

  it("marks every field of a secrets schema as secret", () => {
    const secrets = formFieldsOf(z.object({ apiKey: z.string().min(1) }), true);
    expect(secrets).toEqual([{ name: "apiKey", kind: "string", isRequired: true, isSecret: true }]);
  });
});

describe("coerceFormValues", () => {
  const fields = formFieldsOf(settingsSchema, false);

  it("turns form strings into the schema's types and drops blanks and unknown names", () => {
    expect(
      coerceFormValues(fields, {
        host: "  ftp.example  ",
        port: "2121",
        ratio: "0,5",
        security: "implicit",
        region: "",
        passive: "false",
        other: "x",
      }),
    ).toEqual({ host: "ftp.example", port: 2121, ratio: 0.5, security: "implicit", passive: false });
  });

  it("passes values that do not convert on, so the schema reports them", () => {
    expect(coerceFormValues(fields, { port: "abc", passive: "maybe" })).toEqual({ port: "abc", passive: "maybe" });
    expect(coerceFormValues(fields, { port: 21, passive: true })).toEqual({ port: 21, passive: true });
  });

  it("never trims a secret", () => {
    const secrets = formFieldsOf(z.object({ password: z.string() }), true);
    expect(coerceFormValues(secrets, { password: " pw with spaces " })).toEqual({ password: " pw with spaces " });
    expect(coerceFormValues(secrets, { password: "   " })).toEqual({});
  });
});

describe("connectorFieldErrorsOf", () => {
  it("maps zod issues to keys under settings.<field>", () => {
    const given = { port: 0, security: "sftp", baseUrl: "not a url" };
    const parsed = settingsSchema.safeParse(given);
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(connectorFieldErrorsOf("settings", parsed.error, given)).toEqual({
      "settings.host": ["required"],
      "settings.port": ["tooSmall"],
      "settings.security": ["option"],
      "settings.baseUrl": ["url"],
    });
  });

  it("keeps a connector's own message when it is a key", () => {
    const schema = z.object({ host: z.string().refine((value) => !value.includes("/"), "connectors.ftp.hostNoPath") });
    const given = { host: "ftp.example/x" };
    const parsed = schema.safeParse(given);
    if (parsed.success) throw new Error("expected a failure");
    expect(connectorFieldErrorsOf("settings", parsed.error, given)).toEqual({
      "settings.host": ["connectors.ftp.hostNoPath"],
    });
  });
});

describe("connectionValuesFromFormData", () => {
  it("splits plain fields from the settings and secrets groups; the last value of a name wins", () => {
    const form = new FormData();
    form.append("portalId", "p");
    form.append("label", "L");
    form.append("settings.host", "h");
    form.append("settings.passive", "false");
    form.append("settings.passive", "true");
    form.append("secrets.password", "pw");
    form.append("$ACTION_ID_abc", "");
    expect(connectionValuesFromFormData(form)).toEqual({
      fields: { portalId: "p", label: "L" },
      settings: { host: "h", passive: "true" },
      secrets: { password: "pw" },
    });
  });

  it("leaves a group undefined when the form has none of its fields", () => {
    const form = new FormData();
    form.append("label", "L");
    expect(connectionValuesFromFormData(form)).toEqual({
      fields: { label: "L" },
      settings: undefined,
      secrets: undefined,
    });
  });
});
