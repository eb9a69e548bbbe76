import { z } from "zod";

/**
 * Picking the dossier for a waiting share (the pick page's buttons). The ids are checked by the
 * service: an unknown, malformed or someone else's id is "not found" there, never a field error.
 */
export const pickShareDossierSchema = z.object({
  shareId: z.string().max(100),
  dossierId: z.string().max(100),
});
