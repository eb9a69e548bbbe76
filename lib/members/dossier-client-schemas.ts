import { z } from "zod";

// Messages are keys under the "errors" i18n namespace. Ids that do not parse are "not found",
// like ids of another office: nothing tells them apart.

export const dossierClientRefSchema = z.object({
  dossierId: z.string({ error: "notFound" }).max(100, "notFound"),
  userId: z.string({ error: "notFound" }).max(100, "notFound"),
});

export const dossierInvitationRefSchema = z.object({
  dossierId: z.string({ error: "notFound" }).max(100, "notFound"),
  invitationId: z.string({ error: "notFound" }).max(100, "notFound"),
});
