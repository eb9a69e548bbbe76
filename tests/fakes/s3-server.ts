import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import S3rver from "s3rver";
import type { S3FileStoreSettings } from "@/lib/storage/s3";

/**
 * A real S3-compatible server (s3rver) on 127.0.0.1 with one private bucket, its objects in a temp
 * folder. s3rver checks SigV4 signatures with its own key pair (S3RVER / S3RVER).
 */
export type FakeS3 = {
  settings: S3FileStoreSettings;
  url: string;
  /** Stops the server (objects stay until close); `start` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
};

export async function startFakeS3(options: { bucket?: string; port?: number } = {}): Promise<FakeS3> {
  const bucket = options.bucket ?? "koppel-test";
  const directory = await mkdtemp(path.join(tmpdir(), "koppel-s3-"));
  let port = options.port ?? 0;
  let server: S3rver | undefined;

  async function start(): Promise<void> {
    server = new S3rver({
      address: "127.0.0.1",
      port,
      silent: true,
      directory,
      configureBuckets: [{ name: bucket, configs: [] }],
    });
    const address = (await server.run()) as AddressInfo;
    port = address.port;
  }
  async function stop(): Promise<void> {
    const running = server;
    server = undefined;
    if (!running) return;
    // Cut open connections too: an upload in flight sees the server go away, not a slow close.
    (running as unknown as { httpServer?: { closeAllConnections?: () => void } }).httpServer?.closeAllConnections?.();
    await running.close();
  }

  await start();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    settings: {
      bucket,
      region: "us-east-1",
      endpoint: url,
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      forcePathStyle: true,
      checksums: "when_required",
      requestTimeoutMs: 5_000,
    },
    stop,
    start,
    async close() {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
