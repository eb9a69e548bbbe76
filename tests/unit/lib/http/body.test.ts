import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readBodyWithLimit, readTextWithLimit } from "@/lib/http/body";

function streamOf(chunks: string[], onPull: () => void = () => undefined): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream(
    {
      pull(controller) {
        onPull();
        const chunk = chunks[index++];
        if (chunk === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(chunk));
      },
    },
    { highWaterMark: 0 },
  );
}

const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("https://koppel.test/", { method: "POST", body, headers, duplex: "half" } as RequestInit);

describe("readBodyWithLimit", () => {
  it("reads the bytes and their SHA-256", async () => {
    const body = await readBodyWithLimit(post("héllo"), 100);
    expect(body?.text()).toBe("héllo");
    expect(body?.sha256).toBe(createHash("sha256").update("héllo", "utf8").digest("hex"));
  });

  it("refuses a declared length over the limit without reading a byte", async () => {
    let pulls = 0;
    const request = post(
      streamOf(["x".repeat(10)], () => pulls++),
      { "content-length": "101" },
    );
    expect(await readBodyWithLimit(request, 100)).toBeNull();
    expect(pulls).toBe(0);
  });

  it("stops reading a chunked body as soon as it passes the limit", async () => {
    let pulls = 0;
    const chunks = Array.from({ length: 50 }, () => "x".repeat(40));
    expect(await readBodyWithLimit(post(streamOf(chunks, () => pulls++)), 100)).toBeNull();
    expect(pulls).toBeLessThan(5);
  });

  it("takes a body of exactly the limit, and an empty one", async () => {
    expect((await readBodyWithLimit(post("x".repeat(100)), 100))?.bytes.length).toBe(100);
    expect(await readTextWithLimit(post(null), 100)).toBe("");
  });
});
