import type { AnyApiOperation } from "../operation";
import { DOCUMENT_OPERATIONS } from "./documents";
import { getDossier } from "./dossiers";

/**
 * Every operation of /api/v1: the OpenAPI document is built from this list, and the tests check
 * that each one has its route file under app/api/v1 and that no route file exists without one.
 */
export const API_OPERATIONS: readonly AnyApiOperation[] = [
  getDossier,
  // Documents (lib/api/operations/documents.ts).
  ...DOCUMENT_OPERATIONS,
];
