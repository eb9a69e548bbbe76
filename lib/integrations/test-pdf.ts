/**
 * A minimal, valid one-page PDF (A4, Helvetica) with a few lines of text: the "Send a test
 * document" attachment. Built by hand so no PDF library is needed; the byte offsets of the xref
 * table are exact, so strict readers (and packages' OCR) accept it.
 */

// Windows-1252 (PDF's WinAnsiEncoding) codes for the characters above Latin-1 we may meet.
const WIN_ANSI_EXTRA: Record<string, number> = {
  "€": 0x80,
  "‚": 0x82,
  "„": 0x84,
  "…": 0x85,
  "‘": 0x91,
  "’": 0x92,
  "“": 0x93,
  "”": 0x94,
  "–": 0x96,
  "—": 0x97,
  "™": 0x99,
};

/** A PDF literal string in WinAnsi bytes (as a latin1 JS string), escaped. */
function pdfString(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0x3f;
    let byte: number;
    if (WIN_ANSI_EXTRA[char] !== undefined) byte = WIN_ANSI_EXTRA[char];
    else if ((code >= 0x20 && code < 0x7f) || (code >= 0xa0 && code <= 0xff)) byte = code;
    else byte = 0x3f; // "?": Helvetica's standard encoding cannot show it.
    const ch = String.fromCharCode(byte);
    out += ch === "\\" || ch === "(" || ch === ")" ? `\\${ch}` : ch;
  }
  return `(${out})`;
}

/** The first line is the title (18 pt); the others are body text (11 pt). */
export function buildTestPdf(lines: readonly string[]): Uint8Array {
  const [title = "", ...body] = lines;
  const content = [
    "BT",
    "/F1 18 Tf",
    "72 770 Td",
    `${pdfString(title)} Tj`,
    "/F1 11 Tf",
    "0 -30 Td",
    ...body.flatMap((line, index) => [...(index > 0 ? ["0 -16 Td"] : []), `${pdfString(line)} Tj`]),
    "ET",
  ].join("\n");

  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];

  // A latin1 string: one char per byte, so string lengths are byte offsets.
  let pdf = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(pdf.length);
    pdf += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefOffset = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, "0")} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(pdf, "latin1"));
}
