/**
 * The text a PDF shows, read back from an uncompressed PDF as pdfkit writes it: every text-showing
 * array (`[<hex> kerning <hex> …] TJ`) decoded from WinAnsi and joined, one line per array. Enough
 * to assert what a rendering says; not a general PDF parser.
 */
/** WinAnsi's 0x80–0x9F (where it differs from Latin-1), for the characters our texts use. */
const WIN_ANSI: Record<number, string> = { 128: "€", 145: "‘", 146: "’", 147: "“", 148: "”", 150: "–", 151: "—" };

function decodeWinAnsi(bytes: Buffer): string {
  return [...bytes].map((byte) => WIN_ANSI[byte] ?? String.fromCharCode(byte)).join("");
}

export function pdfText(pdf: Uint8Array): string {
  const source = Buffer.from(pdf).toString("latin1");
  const lines: string[] = [];
  for (const match of source.matchAll(/\[((?:<[0-9a-fA-F]*>|[\s\d.-])*)\]\s*TJ/g)) {
    const hexParts = [...(match[1] ?? "").matchAll(/<([0-9a-fA-F]*)>/g)].map((part) => part[1] ?? "");
    lines.push(hexParts.map((hex) => decodeWinAnsi(Buffer.from(hex, "hex"))).join(""));
  }
  return lines.join("\n");
}

/** Whether the bytes are a PDF (header and end-of-file marker). */
export function isPdf(content: Uint8Array): boolean {
  const text = Buffer.from(content).toString("latin1");
  return text.startsWith("%PDF-") && text.trimEnd().endsWith("%%EOF");
}
