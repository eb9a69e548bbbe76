import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { secretsFromTokens } from "@/lib/connectors/api/exact-online/oauth";
import {
  exactWebhookHashCode,
  isExactWebhookSignatureValid,
  parseExactWebhook,
  rawMemberText,
} from "@/lib/connectors/api/exact-online/webhook";

const SECRET = "webhook-secret-from-the-app-center";
const KEY = "3f2a9c4e-8b1d-4e6f-a2c3-5d7e9f1a3b5c";

/** Exact's content, written with its own spacing and escapes (the signature covers these bytes). */
const RAW_CONTENT = `{ "Topic": "Documents", "ClientId": "{b81cc4de-d192-400e-bcb4-09254394c52a}", "Division": 100001, "Action": "Update", "Key": "${KEY}", "Note": "a \\"quoted\\" word, a } and a ,", "ExactOnlineEndpoint": "/api/v1/100001/documents/Documents(guid'${KEY}')" }`;

function sign(rawContent: string, secret = SECRET): string {
  return createHmac("sha256", secret).update(rawContent, "utf8").digest("hex").toUpperCase();
}

function bodyOf(rawContent: string, hashCode: string): string {
  return `{"Content": ${rawContent} ,\n "HashCode":"${hashCode}"}`;
}

describe("rawMemberText", () => {
  it("cuts a member's value exactly as written, strings with braces, commas and escapes included", () => {
    expect(rawMemberText(bodyOf(RAW_CONTENT, "X"), "Content")).toBe(RAW_CONTENT);
    expect(rawMemberText('{"a":1,"b":[1,{"c":"]"}],"d":true}', "b")).toBe('[1,{"c":"]"}]');
    expect(rawMemberText('{"a":1,"b":2}', "b")).toBe("2");
    expect(rawMemberText('{"a":1}', "b")).toBeNull();
    expect(rawMemberText("[1,2]", "a")).toBeNull();
  });
});

describe("parseExactWebhook", () => {
  it("reads a notification: the raw Content, the HashCode and the fields Koppel uses", () => {
    const parsed = parseExactWebhook(bodyOf(RAW_CONTENT, sign(RAW_CONTENT)));
    expect(parsed).toMatchObject({
      rawContent: RAW_CONTENT,
      hashCode: sign(RAW_CONTENT),
      content: { Topic: "Documents", Division: 100001, Key: KEY, Action: "Update" },
    });
  });

  it("is null for anything that is not a notification", () => {
    expect(parseExactWebhook("not json")).toBeNull();
    expect(parseExactWebhook("{}")).toBeNull();
    expect(parseExactWebhook(`{"Content":${RAW_CONTENT}}`)).toBeNull();
    expect(parseExactWebhook(`{"Content":{"Topic":"Documents"},"HashCode":"AB"}`)).toBeNull();
    expect(parseExactWebhook(`{"Content":"text","HashCode":"AB"}`)).toBeNull();
  });
});

describe("Exact's webhook signature", () => {
  it("is the upper-case hex HMAC-SHA256 of the raw Content with the webhook secret", () => {
    expect(exactWebhookHashCode(RAW_CONTENT, SECRET)).toBe(sign(RAW_CONTENT));
    expect(exactWebhookHashCode(RAW_CONTENT, SECRET)).toMatch(/^[0-9A-F]{64}$/);
    expect(isExactWebhookSignatureValid(RAW_CONTENT, sign(RAW_CONTENT), SECRET)).toBe(true);
  });

  it("refuses another secret, changed content, a lower-case or cut signature", () => {
    expect(isExactWebhookSignatureValid(RAW_CONTENT, sign(RAW_CONTENT, "another-secret-entirely"), SECRET)).toBe(false);
    const changed = RAW_CONTENT.replace('"Update"', '"Delete"');
    expect(isExactWebhookSignatureValid(changed, sign(RAW_CONTENT), SECRET)).toBe(false);
    expect(isExactWebhookSignatureValid(RAW_CONTENT, sign(RAW_CONTENT).toLowerCase(), SECRET)).toBe(false);
    expect(isExactWebhookSignatureValid(RAW_CONTENT, sign(RAW_CONTENT).slice(0, 63), SECRET)).toBe(false);
    expect(isExactWebhookSignatureValid(RAW_CONTENT, "", SECRET)).toBe(false);
  });

  it("checks the Content as it arrived, not a re-serialised copy", () => {
    const reserialised = JSON.stringify(JSON.parse(RAW_CONTENT));
    expect(reserialised).not.toBe(RAW_CONTENT);
    expect(isExactWebhookSignatureValid(reserialised, sign(RAW_CONTENT), SECRET)).toBe(false);
  });
});

describe("the webhook secret", () => {
  it("survives every token answer: it is the app's, not the grant's", () => {
    const current = {
      clientSecret: "client-secret",
      webhookSecret: SECRET,
      accessToken: "old",
      refreshToken: "old-refresh",
    };
    const next = secretsFromTokens(current, {
      accessToken: "new",
      accessTokenExpiresAt: "2026-11-28T10:10:00.000Z",
      refreshToken: "new-refresh",
      refreshedAt: "2026-11-28T10:00:00.000Z",
    });
    expect(next).toMatchObject({ clientSecret: "client-secret", webhookSecret: SECRET, accessToken: "new" });
  });
});
