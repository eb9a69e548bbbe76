// `npm run secrets:rotate`: re-encrypts every connection's secrets and every webhook endpoint's
// signing secret under the current APP_ENCRYPTION_KEY. Rotation: make a new key (v<n+1>), set it as APP_ENCRYPTION_KEY, move the old
// one to APP_ENCRYPTION_KEYS_PREVIOUS, deploy, run this, then drop the old key. Safe to run again:
// a second run rewrites nothing. On PGlite stop `npm run dev` first (one process per data dir).
import { openDb } from "@/db";
import { rotateConnectionSecrets } from "@/lib/connections/rotate";
import { keyring } from "@/lib/crypto/secrets";
import { rotateWebhookEndpointSecrets } from "@/lib/webhooks/rotate";

const ring = keyring();
const { db, driver, close } = await openDb({ url: process.env.DATABASE_URL });
try {
  const result = await rotateConnectionSecrets(db, ring);
  console.log(
    `[koppel] secrets rotated to key ${ring.current.version} (${driver}): ${result.rewritten} rewritten, ` +
      `${result.checked - result.rewritten - result.failed.length} already current, ${result.failed.length} unreadable`,
  );
  if (result.failed.length > 0) {
    // Ids only, never secrets: an admin re-enters these connections' credentials.
    console.error(`[koppel] no configured key decrypts the secrets of connections: ${result.failed.join(", ")}`);
    process.exitCode = 1;
  }
  const webhooks = await rotateWebhookEndpointSecrets(db, ring);
  console.log(
    `[koppel] webhook secrets: ${webhooks.rewritten} rewritten, ` +
      `${webhooks.checked - webhooks.rewritten - webhooks.failed.length} already current, ${webhooks.failed.length} unreadable`,
  );
  if (webhooks.failed.length > 0) {
    // Ids only: an admin makes a new secret for these endpoints.
    console.error(
      `[koppel] no configured key decrypts the secrets of webhook endpoints: ${webhooks.failed.join(", ")}`,
    );
    process.exitCode = 1;
  }
} finally {
  await close();
}
