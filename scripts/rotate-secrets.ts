// `npm run secrets:rotate`: re-encrypts every stored secret (connections' credentials, offices'
// recognition secrets, webhook endpoints' signing secrets) under the current APP_ENCRYPTION_KEY.
// Rotation: make a new key (v<n+1>), set it as APP_ENCRYPTION_KEY, move the old one to
// APP_ENCRYPTION_KEYS_PREVIOUS, deploy, run this, then drop the old key. Safe to run again: a second run rewrites nothing. On PGlite stop
// `npm run dev` first (one process per data dir).
import { openDb } from "@/db";
import { rotateConnectionSecrets } from "@/lib/connections/rotate";
import type { ReencryptionResult } from "@/lib/crypto/reencrypt";
import { keyring } from "@/lib/crypto/secrets";
import { env } from "@/lib/env";
import { reencryptRecognitionSecrets } from "@/lib/recognition/secret";
import { rotateWebhookEndpointSecrets } from "@/lib/webhooks/rotate";

const ring = keyring();
const { db, driver, close } = await openDb({ url: env().DATABASE_URL });

function report(what: string, result: ReencryptionResult): void {
  console.log(
    `[koppel] ${what} rotated to key ${ring.current.version} (${driver}): ${result.rewritten} rewritten, ` +
      `${result.checked - result.rewritten - result.failed.length} already current, ${result.failed.length} unreadable`,
  );
}

try {
  const connections = await rotateConnectionSecrets(db, ring);
  report("connection secrets", connections);
  if (connections.failed.length > 0) {
    // Ids only, never secrets: an admin re-enters these connections' credentials.
    console.error(`[koppel] no configured key decrypts the secrets of connections: ${connections.failed.join(", ")}`);
    process.exitCode = 1;
  }
  const recognition = await reencryptRecognitionSecrets(db, ring);
  report("recognition secrets", recognition);
  if (recognition.failed.length > 0) {
    // Ids only: the office's admin makes a new key on its webhook page.
    console.error(`[koppel] no configured key decrypts the recognition secrets: ${recognition.failed.join(", ")}`);
    process.exitCode = 1;
  }
  const webhooks = await rotateWebhookEndpointSecrets(db, ring);
  report("webhook secrets", webhooks);
  if (webhooks.failed.length > 0) {
    // Ids only: an admin makes a new secret for these endpoints on their page.
    console.error(
      `[koppel] no configured key decrypts the secrets of webhook endpoints: ${webhooks.failed.join(", ")}`,
    );
    process.exitCode = 1;
  }
} finally {
  await close();
}
