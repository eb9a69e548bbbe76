import type * as Fs from "node:fs";
import type * as FsPromises from "node:fs/promises";

/**
 * A disk that fills up mid-write, for `vi.mock("node:fs/promises", …)`: while `diskFull.after`
 * is a number, each writeFile (once `diskFull.writesLeft` more have gone through whole) writes
 * that many bytes of its content for real and then fails as a full disk does (ENOSPC), leaving
 * the partial file behind, as the kernel does. A mock because a real full file system needs
 * privileges (a tmpfs mount) that CI does not have.
 */
export const diskFull: { after: number | null; writesLeft: number; failures: number } = {
  after: null,
  writesLeft: 0,
  failures: 0,
};

export function withDiskFull(actual: typeof FsPromises): typeof FsPromises {
  const writeFile: typeof FsPromises.writeFile = async (file, data, options) => {
    if (diskFull.after === null || typeof data === "string" || !ArrayBuffer.isView(data)) {
      return actual.writeFile(file, data, options);
    }
    if (diskFull.writesLeft > 0) {
      diskFull.writesLeft--;
      return actual.writeFile(file, data, options);
    }
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    await actual.writeFile(file, bytes.subarray(0, Math.min(diskFull.after, bytes.byteLength)), options);
    diskFull.failures++;
    throw Object.assign(new Error(`ENOSPC: no space left on device, write`), {
      errno: -28,
      code: "ENOSPC",
      syscall: "write",
    });
  };
  return { ...actual, writeFile, default: { ...actual, writeFile } } as typeof FsPromises;
}

/**
 * The same full disk for streamed writes (`vi.mock("node:fs", …)`): a write stream (once
 * `diskFull.writesLeft` more have gone through whole) writes `diskFull.after` bytes for real, then
 * fails with ENOSPC, leaving the partial file behind.
 */
export function withDiskFullStreams(actual: typeof Fs): typeof Fs {
  const createWriteStream = ((...args: Parameters<typeof Fs.createWriteStream>) => {
    const stream = actual.createWriteStream(...args);
    if (diskFull.after === null) return stream;
    if (diskFull.writesLeft > 0) {
      diskFull.writesLeft--;
      return stream;
    }
    let room = diskFull.after;
    const writeOne = stream._write.bind(stream);
    // One chunk at a time, so every byte passes the count below.
    stream._writev = undefined;
    stream._write = (chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void) => {
      if (chunk.byteLength <= room) {
        room -= chunk.byteLength;
        writeOne(chunk, encoding, callback);
        return;
      }
      const fits = chunk.subarray(0, room);
      room = 0;
      writeOne(fits, encoding, () => {
        diskFull.failures++;
        callback(Object.assign(new Error("ENOSPC: no space left on device, write"), { errno: -28, code: "ENOSPC" }));
      });
    };
    return stream;
  }) as typeof Fs.createWriteStream;
  return { ...actual, createWriteStream, default: { ...actual, createWriteStream } } as typeof Fs;
}
