import type { AnyApiOperation } from "../operation";
import { getDeliveryLog } from "./delivery-log";
import { createDossier, getDossier, getDossierIntegration, listDossiers, updateDossier } from "./dossiers";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  getWebhookEndpointSecret,
  listWebhookDeliveries,
  listWebhookEndpoints,
  replayWebhookDelivery,
  rotateWebhookEndpointSecret,
  sendWebhookTestMessage,
  updateWebhookEndpoint,
} from "./webhooks";

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
  // Outgoing webhooks.
  listWebhookEndpoints,
  createWebhookEndpoint,
  getWebhookEndpoint,
  updateWebhookEndpoint,
  deleteWebhookEndpoint,
  rotateWebhookEndpointSecret,
  getWebhookEndpointSecret,
  listWebhookDeliveries,
  replayWebhookDelivery,
  sendWebhookTestMessage,
];
