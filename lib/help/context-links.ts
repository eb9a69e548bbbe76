import { connectionFormOf } from "@/lib/connections/form";
import { loadConnector } from "@/lib/connectors/registry";
import { AUTO_SEND_SKIP_REASONS } from "@/lib/documents/refusals";
import { FAILURE_GROUPS } from "@/lib/failures/groups";
import { listPackages } from "@/lib/packages/catalog";
import {
  addressesHelpHref,
  connectionFieldHelpHref,
  failureGroupHelpHref,
  helpHref,
  packageHelpHref,
  refusalHelpHref,
} from "./links";

export type ContextHelpLink = { where: string; href: string };

/**
 * Every "?" the app can show, with where it shows: the same builders the components call, over
 * every package, failure group, refusal and connection form field. tests/unit/lib/help holds each
 * address to the articles (it must lead to an existing article and section in nl, fr and en).
 */
export async function listContextHelpLinks(): Promise<ContextHelpLink[]> {
  const links: ContextHelpLink[] = [];
  for (const entry of listPackages()) {
    links.push({ where: `package card ${entry.id}`, href: packageHelpHref(entry.id) });
    if (entry.channels.includes("email")) {
      links.push({ where: `mail addresses of ${entry.id}`, href: addressesHelpHref(entry.id) });
    }
    for (const channel of entry.channels) {
      if (channel === "email") continue;
      const connector = await loadConnector(entry.id, channel);
      if (!connector) continue;
      const form = connectionFormOf(connector, entry.id);
      for (const field of [...form.settings, ...form.secrets]) {
        links.push({
          where: `${channel} connection form of ${entry.id}, field ${field.name}`,
          href: connectionFieldHelpHref(entry.id, channel, field.name),
        });
      }
    }
  }
  links.push({ where: "free mail", href: helpHref("free-email") });
  links.push({ where: "free mail addresses", href: addressesHelpHref("free-email") });
  links.push({ where: "no integration", href: helpHref("no-integration") });
  for (const group of FAILURE_GROUPS)
    links.push({ where: `failure group ${group}`, href: failureGroupHelpHref(group) });
  for (const code of AUTO_SEND_SKIP_REASONS) links.push({ where: `refusal ${code}`, href: refusalHelpHref(code) });
  return links;
}
