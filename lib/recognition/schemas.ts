import { z } from "zod";

/** Input of "show the recognition webhook secret" (admin page). */
export const revealRecognitionSecretSchema = z.object({ portalId: z.uuid() });
