import { describe, expect, it } from "vitest";
import { CSV_BOM, csvCell, csvLine, csvStream, csvTextStream } from "@/lib/failures/csv";

async function readAll(stream: ReadableStream<Uint8Array>): Promise<{ text: string; chunks: number }> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  for (let next = await reader.read(); !next.done; next = await reader.read()) parts.push(next.value);
  return { text: new TextDecoder("utf-8", { ignoreBOM: true }).decode(Buffer.concat(parts)), chunks: parts.length };
}

describe("csvCell (RFC 4180)", () => {
  it("leaves plain text alone and writes null as an empty field", () => {
    expect(csvCell("factuur 2026-017.pdf")).toBe("factuur 2026-017.pdf");
    expect(csvCell(3)).toBe("3");
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
  });

  it("quotes fields with a comma, a quote or a line break and doubles the quotes", () => {
    expect(csvCell("Peeters, Jan")).toBe('"Peeters, Jan"');
    expect(csvCell('Zei "nee"')).toBe('"Zei ""nee"""');
    expect(csvCell("regel 1\nregel 2")).toBe('"regel 1\nregel 2"');
    expect(csvCell("a\r\nb")).toBe('"a\r\nb"');
  });

  it("defuses cells a spreadsheet would run as a formula", () => {
    expect(csvCell('=HYPERLINK("http://evil")')).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvCell("+32 2 123")).toBe('"\'+32 2 123"');
    expect(csvCell("-1+1")).toBe('"\'-1+1"');
    expect(csvCell("@SUM(A1)")).toBe('"\'@SUM(A1)"');
    expect(csvCell("\t=1")).toBe('"\'\t=1"');
    expect(csvCell("\r=1")).toBe('"\'\r=1"');
    // Only the first character counts.
    expect(csvCell("a=b")).toBe("a=b");
  });

  it("ends a record with CRLF", () => {
    expect(csvLine(["a", null, "b,c"])).toBe('a,,"b,c"\r\n');
  });
});

describe("csvStream", () => {
  it("starts with the UTF-8 byte-order mark and the header, then every batch in order", async () => {
    async function* batches() {
      yield [["é", "1"]];
      yield [];
      yield [
        ["ü", "2"],
        ["=x", "3"],
      ];
    }
    const stream = csvStream(["naam", "nr"], batches());
    const reader = stream.getReader();
    const first = await reader.read();
    expect([...(first.value ?? []).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    reader.releaseLock();
    const rest = await readAll(stream);
    const firstText = new TextDecoder("utf-8", { ignoreBOM: true }).decode(first.value);
    expect(firstText).toBe(`${CSV_BOM}naam,nr\r\n`);
    expect(rest.text).toBe('é,1\r\nü,2\r\n"\'=x",3\r\n');
  });

  it("reads the source one batch per chunk instead of all at once", async () => {
    let pulled = 0;
    async function* batches() {
      for (let page = 0; page < 3; page++) {
        pulled++;
        yield [[`page ${page}`]];
      }
    }
    const stream = csvStream(["h"], batches());
    const reader = stream.getReader();
    await reader.read(); // header
    await reader.read(); // first page
    // A stream pulls ahead by at most its high-water mark (1 chunk), never the whole source.
    expect(pulled).toBeLessThan(3);
    await reader.cancel();
  });

  it("ends the source when the reader goes away", async () => {
    let isClosed = false;
    async function* batches() {
      try {
        for (let page = 0; ; page++) yield [[`page ${page}`]];
      } finally {
        isClosed = true;
      }
    }
    const reader = csvStream(["h"], batches()).getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    expect(isClosed).toBe(true);
  });
});

describe("csvTextStream", () => {
  it("reads the source only when the reader asks: nothing ahead of it (a slow client slows the reading)", async () => {
    let pulled = 0;
    async function* texts() {
      for (let page = 0; page < 5; page++) {
        pulled++;
        yield `page ${page}\r\n`;
      }
    }
    const reader = csvTextStream(["h"], texts()).getReader();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(pulled).toBe(0);
    const header = await reader.read();
    expect(new TextDecoder().decode(header.value)).toBe("h\r\n");
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(pulled).toBe(0);
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("page 0\r\n");
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(pulled).toBe(1);
    await reader.cancel();
  });
});
