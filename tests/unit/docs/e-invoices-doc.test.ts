import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Channel, listPackages, ublFormFor } from "@/lib/packages/catalog";

// docs/e-invoices.md tells accountants which form each package gets an e-invoice in: the table
// must say what the catalog does, so a change to the catalog that forgets the guide fails here.

const CHANNEL_WORDS: Record<string, Channel> = { API: "api", FTP: "ftp", "e-mail": "email" };
/** Names in the guide for catalog entries that are a kind rather than a product. */
const ALIASES: Record<string, string> = { "any FTP package": "FTP" };

function documentedForms(): Map<string, { form: string; status: string }> {
  const text = readFileSync(new URL("../../../docs/e-invoices.md", import.meta.url), "utf8");
  const forms = new Map<string, { form: string; status: string }>();
  for (const line of text.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    if (cells.length !== 6) continue;
    const [, names = "", channels = "", form = "", status = ""] = cells;
    if (!["xml", "pdf", "both"].includes(form)) continue;
    for (const name of names.split(", ")) {
      for (const word of channels.split(", ")) {
        const channel = CHANNEL_WORDS[word];
        if (channel) forms.set(`${ALIASES[name] ?? name}/${channel}`, { form, status: status.split(" ")[0] ?? "" });
      }
    }
  }
  return forms;
}

describe("docs/e-invoices.md", () => {
  it("gives every package and channel of the catalog the form and certainty the catalog has", () => {
    const documented = documentedForms();
    for (const entry of listPackages()) {
      for (const channel of entry.channels) {
        const fact = ublFormFor(entry, channel);
        expect(documented.get(`${entry.name}/${channel}`), `${entry.name} over ${channel}`).toEqual({
          form: fact.form,
          status: fact.status,
        });
      }
    }
  });
});
