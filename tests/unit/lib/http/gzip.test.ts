import { createHash, randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { acceptsGzip, gzipStream } from "@/lib/http/gzip";

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A stream of the chunks, one per pull, counting how many the reader asked for. */
function sourceOf(chunks: Uint8Array[]) {
  const state = { pulled: 0, cancelled: false };
  let index = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        state.pulled++;
        const chunk = chunks[index++];
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const pieces: Uint8Array[] = [];
  for await (const piece of stream) pieces.push(piece);
  return pieces;
}

describe("acceptsGzip", () => {
  it.each([
    ["gzip, deflate, br", true],
    ["br;q=1.0, gzip;q=0.8", true],
    ["GZIP", true],
    ["x-gzip", true],
    ["*", true],
    ["deflate, *;q=0.5", true],
    ["gzip;q=0", false],
    ["gzip;q=0, *", false],
    ["*;q=0", false],
    ["identity", false],
    ["br, deflate", false],
    ["", false],
    [null, false],
  ])("%s → %s", (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});

describe("gzipStream", () => {
  it("writes gzip that unpacks to exactly the bytes read, text and binary, empty chunks skipped", async () => {
    const chunks = [
      new TextEncoder().encode("\uFEFFwanneer,dossier\r\n"),
      new Uint8Array(0),
      new TextEncoder().encode("2026-03-01T10:00:00.000Z,Bakkerij Peeters\r\n".repeat(20_000)),
      randomBytes(300_000),
      new TextEncoder().encode("laatste regel\r\n"),
    ];
    const expected = Buffer.concat(chunks);
    const { stream } = sourceOf(chunks);
    const pieces = await readAll(gzipStream(stream));
    const unpacked = gunzipSync(Buffer.concat(pieces));
    expect(sha256(unpacked)).toBe(sha256(expected));
    expect(unpacked.byteLength).toBe(expected.byteLength);
  });

  it("gives each chunk's bytes out before reading the next (the first lines leave at once)", async () => {
    const first = new TextEncoder().encode("kop\r\neerste regels\r\n");
    const { stream, state } = sourceOf([first, new TextEncoder().encode("meer\r\n"), new Uint8Array([1, 2, 3])]);
    const reader = gzipStream(stream).getReader();
    const piece = await reader.read();
    // What came out so far unpacks (a sync flush) to the first chunk, and nothing more was read.
    const partial = gunzipSync(Buffer.from(piece.value ?? []), { finishFlush: 2 /* Z_SYNC_FLUSH */ });
    expect(partial.toString("utf8")).toBe("kop\r\neerste regels\r\n");
    expect(state.pulled).toBe(1);
    await reader.cancel();
  });

  it("stops reading the source when the reader goes away", async () => {
    const { stream, state } = sourceOf(Array.from({ length: 50 }, () => randomBytes(1000)));
    const reader = gzipStream(stream).getReader();
    await reader.read();
    await reader.cancel();
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThan(3);
  });

  it("passes a source's failure on to the reader", async () => {
    let sent = false;
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(new TextEncoder().encode("begin\r\n"));
        } else controller.error(new Error("database went away"));
      },
    });
    await expect(readAll(gzipStream(failing))).rejects.toThrow("database went away");
  });
});
