import { z } from "zod";
import { bareHostname, isPrivateHostAllowed, judgeHost, type LookupAll, type ResolvedHost } from "@/lib/net/host-guard";

/*
 * Where an office may point a webhook: https (plain http only while the operator's private-host
 * switch is on, for tests and demos), no credentials in the address (it is shown on the settings
 * page and in logs), and a host that passes the same guard as FTP hosts (lib/net/host-guard.ts).
 * Checked when an endpoint is saved and again before every try (lib/webhooks/http.ts), where the
 * connection then goes to the very address that passed.
 */

export const ENDPOINT_URL_MAX_LENGTH = 2000;

/** Why an address was refused; each is a message key under errors.webhookUrl. */
export type EndpointUrlRefusal =
  | "invalid"
  | "notHttps"
  | "credentials"
  | "hostNotFound"
  | "hostNotAllowed"
  | "dnsFailed";

/** The syntax part, for the form schemas: an absolute http(s) URL without credentials. */
export const endpointUrlSchema = z
  .string()
  .trim()
  .min(1, "webhookUrl.required")
  .max(ENDPOINT_URL_MAX_LENGTH, "webhookUrl.tooLong")
  .superRefine((value, ctx) => {
    // Zod runs refinements after a failed length check too: one message per mistake.
    if (value === "" || value.length > ENDPOINT_URL_MAX_LENGTH) return;
    const refusal = refuseUrlSyntax(value);
    if (refusal) ctx.addIssue({ code: "custom", message: `webhookUrl.${refusal}` });
  });

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

function refuseUrlSyntax(value: string): EndpointUrlRefusal | null {
  const url = parseUrl(value);
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.hostname === "") return "invalid";
  if (url.username !== "" || url.password !== "") return "credentials";
  return null;
}

export type EndpointUrlVerdict =
  | { ok: true; url: URL; target: ResolvedHost }
  | { ok: false; refusal: EndpointUrlRefusal; detail?: string };

/**
 * The whole check of an endpoint address: syntax, scheme, and the host guard (DNS included).
 * `allowPrivate` defaults to the deployment's switch, which also decides whether http is allowed.
 */
export async function checkEndpointUrl(
  value: string,
  options: { allowPrivate?: boolean; lookup?: LookupAll } = {},
): Promise<EndpointUrlVerdict> {
  const syntax = refuseUrlSyntax(value);
  const url = parseUrl(value);
  if (syntax || !url) return { ok: false, refusal: syntax ?? "invalid" };
  const allowPrivate = options.allowPrivate ?? isPrivateHostAllowed();
  if (url.protocol !== "https:" && !allowPrivate) return { ok: false, refusal: "notHttps" };
  const host = await judgeHost(bareHostname(url.hostname), { allowPrivate, lookup: options.lookup });
  if (host.ok) return { ok: true, url, target: { address: host.address, family: host.family } };
  const refusal: EndpointUrlRefusal =
    host.code === "host_not_found" ? "hostNotFound" : host.code === "dns_failed" ? "dnsFailed" : "hostNotAllowed";
  return { ok: false, refusal, detail: host.detail };
}
