import type { AnyApiOperation } from "../operation";
import { getDeliveryLog } from "./delivery-log";
import { DOCUMENT_OPERATIONS } from "./documents";
import { createDossier, getDossier, getDossierIntegration, listDossiers, updateDossier } from "./dossiers";
import { WEBHOOK_OPERATIONS } from "./webhooks";

/**
 * Every operation of /api/v1: the OpenAPI document is built from this list, and the tests check
 * that each one has its route file under app/api/v1 and that no route file exists without one.
 */
export const API_OPERATIONS: readonly AnyApiOperation[] = [
  // Dossiers and the delivery log.
  listDossiers,
  createDossier,
  getDossier,
  updateDossier,
  getDossierIntegration,
  getDeliveryLog,
  // Documents (lib/api/operations/documents.ts).
  ...DOCUMENT_OPERATIONS,
  // Outgoing webhooks (lib/api/operations/webhooks.ts).
  ...WEBHOOK_OPERATIONS,
];
