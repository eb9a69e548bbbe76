import PDFDocument from "pdfkit";
import type { Locale } from "@/lib/i18n/config";
import { translatorFor } from "@/lib/i18n/translator";
import type { UblDocument, UblParty } from "./types";

/**
 * A readable PDF of a UBL e-invoice, made by Koppel for the packages that take only PDF and for
 * the document page when the XML carries no PDF of its own. It is marked as a rendering on every
 * page ("… the XML is the original"), in the dossier's language.
 *
 * pdfkit writes with the PDF standard fonts, whose metrics (.afm) it reads from its own folder at
 * run time: next.config.ts keeps it out of the server bundle (serverExternalPackages) so those
 * files are found. Nothing is downloaded.
 *
 * The output is deterministic: the creation date is the invoice's issue date (else a fixed date),
 * and the file id derives from the document info, so a retried delivery sends the same bytes.
 */

/** When the invoice has no issue date: a fixed date, never the clock (the bytes must not change). */
const FIXED_CREATION_DATE = new Date(Date.UTC(2000, 0, 1));

const PAGE_MARGIN = 50;
const FONT = "Helvetica";
const BOLD = "Helvetica-Bold";

export type RenderUblPdfOptions = {
  locale: Locale;
  /** Compress the page streams (default true); tests turn it off to read the text back. */
  compress?: boolean;
};

/**
 * The standard fonts speak WinAnsi: characters outside it would come out as garbage. Intl's
 * narrow no-break space (fr-BE thousands) becomes a no-break space, line breaks and tabs a space
 * (a cell is one paragraph), other unknown characters a "?".
 */
function printable(text: string): string {
  return text
    .replace(/[\u202f\u2009]/g, "\u00a0")
    .replace(/\s+/g, (space) => (space === "\u00a0" ? space : " "))
    .replace(/[^\u0020-\u007e\u00a0-\u00ff€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]/g, "?");
}

function issueDateOf(document: UblDocument): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(document.issueDate ?? "");
  if (!match) return FIXED_CREATION_DATE;
  return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
}

/** Renders the document; resolves with the PDF's bytes. */
export function renderUblPdf(document: UblDocument, options: RenderUblPdfOptions): Promise<Uint8Array> {
  const t = translatorFor(options.locale);
  const unknown = t("ublRendering.pdf.unknown");
  const number = document.number ?? t("ublRendering.pdf.noNumber");
  const banner = printable(t("ublRendering.pdf.banner", { number }));
  const numberFormat = new Intl.NumberFormat(`${options.locale}-BE`, {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  const quantityFormat = new Intl.NumberFormat(`${options.locale}-BE`, { maximumFractionDigits: 4 });
  const money = (value: number | null) => (value === null ? unknown : numberFormat.format(value));
  const currency = document.currency ?? "";

  const pdf = new PDFDocument({
    size: "A4",
    margin: PAGE_MARGIN,
    compress: options.compress ?? true,
    bufferPages: true,
    lang: options.locale,
    info: {
      Title: banner,
      Author: printable(document.supplier.name ?? ""),
      Subject: printable(`${document.kind} ${document.number ?? ""}`.trim()),
      Creator: "Koppel",
      Producer: "Koppel",
      CreationDate: issueDateOf(document),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Uint8Array>((resolve, reject) => {
    pdf.on("data", (chunk: Buffer) => chunks.push(chunk));
    pdf.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
    pdf.on("error", reject);
  });

  const left = PAGE_MARGIN;
  const width = pdf.page.width - 2 * PAGE_MARGIN;
  const write = (
    text: string,
    font = FONT,
    size = 10,
    at?: { x: number; y?: number; width: number; align?: "left" | "right" },
  ) => {
    pdf.font(font).fontSize(size);
    if (at) pdf.text(printable(text), at.x, at.y, { width: at.width, align: at.align ?? "left" });
    else pdf.text(printable(text), { width });
  };

  // Title: kind and number, then the mark that this is a rendering.
  const kindLabel = document.kind === "CreditNote" ? t("ublRendering.pdf.creditNote") : t("ublRendering.pdf.invoice");
  write(`${kindLabel} ${document.number ?? ""}`.trim(), BOLD, 18);
  pdf.moveDown(0.5);

  // Supplier and customer side by side.
  const partyTop = pdf.y;
  const columnWidth = (width - 20) / 2;
  const party = (label: string, value: UblParty, x: number) => {
    write(label, BOLD, 10, { x, y: partyTop, width: columnWidth });
    write(value.name ?? unknown, FONT, 10, { x, width: columnWidth });
    write(`${t("ublRendering.pdf.vatNumber")}: ${value.vatNumber ?? unknown}`, FONT, 9, { x, width: columnWidth });
    return pdf.y;
  };
  const bottom = Math.max(
    party(t("ublRendering.pdf.supplier"), document.supplier, left),
    party(t("ublRendering.pdf.customer"), document.customer, left + columnWidth + 20),
  );
  pdf.x = left;
  pdf.y = bottom;
  pdf.moveDown();

  // Dates and currency.
  const facts: [string, string][] = [
    [t("ublRendering.pdf.issueDate"), document.issueDate ?? unknown],
    [t("ublRendering.pdf.dueDate"), document.dueDate ?? unknown],
    [t("ublRendering.pdf.currency"), currency || unknown],
  ];
  for (const [label, value] of facts) write(`${label}: ${value}`);
  pdf.moveDown();

  // A table row: columns as fractions of the width; the row is as tall as its tallest cell.
  const row = (cells: string[], fractions: number[], font = FONT) => {
    const top = pdf.y;
    let x = left;
    let lowest = top;
    cells.forEach((cell, index) => {
      const cellWidth = width * (fractions[index] ?? 0) - 6;
      write(cell, font, 9, { x, y: top, width: cellWidth, align: index === 0 ? "left" : "right" });
      lowest = Math.max(lowest, pdf.y);
      x += width * (fractions[index] ?? 0);
    });
    pdf.x = left;
    pdf.y = lowest + 3;
    if (pdf.y > pdf.page.height - PAGE_MARGIN - 40) pdf.addPage();
  };

  write(t("ublRendering.pdf.lines"), BOLD, 12);
  pdf.moveDown(0.3);
  const lineColumns = [0.55, 0.15, 0.1, 0.2];
  if (document.lines.length === 0) write(t("ublRendering.pdf.noLines"));
  else {
    row(
      [
        t("ublRendering.pdf.description"),
        t("ublRendering.pdf.quantity"),
        "",
        `${t("ublRendering.pdf.amount")} ${currency}`.trim(),
      ],
      lineColumns,
      BOLD,
    );
    for (const line of document.lines) {
      row(
        [
          line.description ?? unknown,
          line.quantity === null ? "" : quantityFormat.format(line.quantity),
          line.unitCode ?? "",
          money(line.amount),
        ],
        lineColumns,
      );
    }
  }
  pdf.moveDown();

  if (document.taxSubtotals.length > 0) {
    write(t("ublRendering.pdf.vatSubtotals"), BOLD, 12);
    pdf.moveDown(0.3);
    const taxColumns = [0.25, 0.15, 0.3, 0.3];
    row(
      [
        t("ublRendering.pdf.category"),
        t("ublRendering.pdf.rate"),
        t("ublRendering.pdf.taxable"),
        t("ublRendering.pdf.vat"),
      ],
      taxColumns,
      BOLD,
    );
    for (const subtotal of document.taxSubtotals) {
      row(
        [
          subtotal.category ?? unknown,
          subtotal.percent === null ? unknown : `${quantityFormat.format(subtotal.percent)} %`,
          money(subtotal.taxableAmount),
          money(subtotal.taxAmount),
        ],
        taxColumns,
      );
    }
    pdf.moveDown();
  }

  // Totals: the payable amount as the XML wrote it.
  const totalColumns = [0.7, 0.3];
  row([`${t("ublRendering.pdf.vatTotal")} ${currency}`.trim(), money(document.vatTotal)], totalColumns);
  row(
    [
      `${t("ublRendering.pdf.payable")} ${currency}`.trim(),
      document.payableAmount === null ? (document.payableAmountText ?? unknown) : money(document.payableAmount),
    ],
    totalColumns,
    BOLD,
  );
  pdf.moveDown(2);
  write(t("ublRendering.pdf.footer"), FONT, 8);

  // The mark on every page, above the content: no page of it can pass for the supplier's own.
  const range = pdf.bufferedPageRange();
  for (let index = range.start; index < range.start + range.count; index++) {
    pdf.switchToPage(index);
    const top = 18;
    pdf.save().rect(left, top, width, 22).fill("#eeeeee").restore();
    pdf.fillColor("#000000").font(BOLD).fontSize(9);
    pdf.text(banner, left + 6, top + 7, { width: width - 12, lineBreak: false, ellipsis: true });
  }
  pdf.end();
  return done;
}
