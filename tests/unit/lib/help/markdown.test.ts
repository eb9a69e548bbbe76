import { describe, expect, it } from "vitest";
import { plainMessage, renderHelpMarkdown, slugify } from "@/lib/help/markdown";

const MESSAGES = {
  integrations: { card: { connect: "Verbinden" } },
  connections: { form: { save: "Opslaan", hello: "Hallo {name}" } },
  tricky: { html: "<script>alert(1)</script> & co" },
};
const label = (key: string) => plainMessage(MESSAGES, key);
const render = (source: string, locale = "nl") => renderHelpMarkdown(source, { locale, label });

describe("the help's Markdown", () => {
  it("renders a {{label:…}} as the message in the reader's language, in bold", () => {
    const out = render("Klik op {{label:integrations.card.connect}} en dan {{label:connections.form.save}}.");
    expect(out.html).toBe(
      '<p>Klik op <strong class="help-label">Verbinden</strong> en dan <strong class="help-label">Opslaan</strong>.</p>',
    );
    expect(out.labels).toEqual(["integrations.card.connect", "connections.form.save"]);
    expect(out.missingLabels).toEqual([]);
    expect(out.text).toBe("Klik op Verbinden en dan Opslaan.");
  });

  it("reports a label that is missing or has a placeholder, and shows its key instead", () => {
    const out = render("{{label:nope.key}} {{label:connections.form.hello}}");
    expect(out.missingLabels).toEqual(["nope.key", "connections.form.hello"]);
    expect(out.html).toContain('data-missing="nope.key"');
    expect(out.html).not.toContain("{name}");
  });

  it("escapes a message: labels are text, never markup", () => {
    const out = render("{{label:tricky.html}}");
    expect(out.html).toContain("&#x3C;script>alert(1)&#x3C;/script> &#x26; co");
    expect(out.html).not.toContain("<script>");
  });

  it("gives headings their explicit {#id}, and lists ## and ### for the table of contents", () => {
    const out = render(
      "## Verbind {{label:integrations.card.connect}} {#connect}\n\ntext\n\n### Het veld {#field-division}\n\n#### Deeper {#deep}\n",
    );
    expect(out.html).toContain('<h2 id="connect">Verbind <strong class="help-label">Verbinden</strong></h2>');
    expect(out.html).toContain('<h3 id="field-division">Het veld</h3>');
    expect(out.html).toContain('<h4 id="deep">Deeper</h4>');
    expect(out.headings).toEqual([
      { depth: 2, id: "connect", text: "Verbind Verbinden", hasExplicitId: true },
      { depth: 3, id: "field-division", text: "Het veld", hasExplicitId: true },
    ]);
  });

  it("leaves out a # title in the body: the page's one h1 is the front matter's title", () => {
    const out = render("# Exact Online\n\nIntro\n\n## Connect {#connect}\n");
    expect(out.html).not.toContain("<h1");
    expect(out.html).toContain('<h2 id="connect">Connect</h2>');
  });

  it("slugs a heading without an id (the developer pages), each id once", () => {
    const out = render("## Office step: the FTP connection\n\n## Office step: the FTP connection\n");
    expect(out.headings.map((heading) => [heading.id, heading.hasExplicitId])).toEqual([
      ["office-step-the-ftp-connection", false],
      ["office-step-the-ftp-connection-1", false],
    ]);
    expect(slugify("Où sont les réglages ?")).toBe("ou-sont-les-reglages");
  });

  it("turns help:<name> images into the screenshot of the reader's language", () => {
    const out = render("![Het formulier](help:connection-form-ftp)", "fr");
    expect(out.images).toEqual(["connection-form-ftp"]);
    expect(out.html).toContain('src="/help/fr/connection-form-ftp.png"');
    expect(out.html).toContain('alt="Het formulier"');
  });

  it("keeps help, in-page, http(s) and mailto links, and drops other schemes", () => {
    const out = render(
      "[a](/help/sending#refusal-archived) [b](#connect) [c](https://example.com) [d](mailto:x@example.com) [e](javascript:alert(1)) [f](data:text/html,x)",
    );
    expect(out.links).toEqual([
      "/help/sending#refusal-archived",
      "#connect",
      "https://example.com",
      "mailto:x@example.com",
      "javascript:alert(1)",
      "data:text/html,x",
    ]);
    expect(out.html).toContain('<a href="/help/sending#refusal-archived">a</a>');
    expect(out.html).toContain('<a href="https://example.com" rel="noopener noreferrer">c</a>');
    expect(out.html).not.toContain("javascript:");
    expect(out.html).not.toContain("data:text");
    expect(out.html).toContain(" e ");
  });

  it("drops a relative link to a file of the repository, keeping its words", () => {
    const out = render("See [the code](../../lib/connectors/ftp/README.md).");
    expect(out.html).toBe("<p>See the code.</p>");
  });

  it("never passes raw HTML through", () => {
    const out = render(
      '<script>alert(1)</script>\n\nText <img src=x onerror="alert(1)"> and <b>bold</b>\n\n<div onclick="x()">block</div>',
    );
    expect(out.html).not.toMatch(/<script|<img|onerror|onclick|<div|<b>/);
    expect(out.html).toContain("Text");
  });

  it("renders GFM: task lists and tables", () => {
    const out = render("- [ ] Vraag de host\n- [x] Poort\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
    expect(out.html).toContain('<input type="checkbox" disabled>');
    expect(out.html).toContain("<table>");
  });
});
