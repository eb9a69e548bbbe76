"use client";

import { useTranslations } from "next-intl";
import { ConfirmAction } from "@/components/ui/confirm-action";
import { removeDossierClientAction, revokeDossierInvitationAction } from "../actions";
import { useAnnounce } from "./access-notice";

/** The place these buttons take in a row: the whole width on phones, their own from sm up. */
const LAYOUT = { className: "w-full sm:w-auto", triggerClassName: "w-full sm:w-auto", size: "responsive" } as const;

/**
 * "Remove access", after a confirmation. On success the list comes back without the row; the
 * notice above the lists says it worked. The server decides who may (lib/members/dossier-clients.ts).
 */
export function RemoveClientButton({ dossierId, userId, name }: { dossierId: string; userId: string; name: string }) {
  const t = useTranslations("clients.clients.remove");
  const announce = useAnnounce();
  return (
    <ConfirmAction
      {...LAYOUT}
      label={t("button")}
      srLabel={`(${name})`}
      title={t("confirmTitle", { name })}
      body={t("confirmBody", { name })}
      confirmLabel={t("confirm")}
      pendingLabel={t("removing")}
      cancelLabel={t("cancel")}
      action={() => removeDossierClientAction({ dossierId, userId })}
      onDone={() => announce(t("done", { name }))}
    />
  );
}

/** "Revoke" an open invitation, after a confirmation; as above, the notice says it worked. */
export function RevokeInvitationButton({
  dossierId,
  invitationId,
  email,
}: {
  dossierId: string;
  invitationId: string;
  email: string;
}) {
  const t = useTranslations("clients.invitations.revoke");
  const announce = useAnnounce();
  return (
    <ConfirmAction
      {...LAYOUT}
      label={t("button")}
      srLabel={`(${email})`}
      title={t("confirmTitle", { email })}
      body={t("confirmBody")}
      confirmLabel={t("confirm")}
      pendingLabel={t("revoking")}
      cancelLabel={t("cancel")}
      action={() => revokeDossierInvitationAction({ dossierId, invitationId })}
      onDone={() => announce(t("done", { email }))}
    />
  );
}
