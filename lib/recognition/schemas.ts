import { z } from "zod";

/** Input of the webhook page's actions ("Show" and "Rotate secret"): the office whose secret. */
export const officeRecognitionSecretSchema = z.object({ portalId: z.uuid() });
