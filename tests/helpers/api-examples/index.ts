import { DELIVERY_LOG_EXAMPLES } from "./delivery-log";
import { DOCUMENT_EXAMPLES } from "./documents";
import { DOSSIER_EXAMPLES } from "./dossiers";
import { WEBHOOK_EXAMPLES } from "./webhooks";
import type { ApiExample } from "./world";

/**
 * The example calls of every API operation (tests/integration/lib/api/contract.test.ts makes them
 * and fails for an operation without a 2xx row). One file per area; add its list here.
 */
export const API_EXAMPLES: readonly ApiExample[] = [
  ...DOSSIER_EXAMPLES,
  ...DELIVERY_LOG_EXAMPLES,
  ...DOCUMENT_EXAMPLES,
  // Outgoing webhooks.
  ...WEBHOOK_EXAMPLES,
];
