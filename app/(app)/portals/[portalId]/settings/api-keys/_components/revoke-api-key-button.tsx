"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import { ConfirmAction } from "@/components/ui/confirm-action";
import { revokeApiKeyAction } from "../actions";

/**
 * Revoke, after a confirmation. Stays mounted when the list comes back with the key revoked, to
 * say it worked; renders nothing for keys that are no longer active otherwise. The server refuses
 * anyone but the office's admins anyway (lib/api-keys/service.ts).
 */
export function RevokeApiKeyButton({
  portalId,
  keyId,
  name,
  isActive,
}: {
  portalId: string;
  keyId: string;
  name: string;
  isActive: boolean;
}) {
  const t = useTranslations("apiKeys.revoke");
  const [isDone, setIsDone] = useState(false);

  if (!isActive && !isDone) return null;

  return (
    <div className="mt-4 border-t border-slate-100 pt-4">
      {isDone ? (
        <p role="status" className="text-sm text-emerald-800">
          {t("done", { name })}
        </p>
      ) : (
        <ConfirmAction
          label={t("button")}
          srLabel={name}
          title={t("confirmTitle", { name })}
          body={t("confirmBody")}
          confirmLabel={t("confirm")}
          pendingLabel={t("revoking")}
          cancelLabel={t("cancel")}
          // Slate words, as this button has always shown (its red classes lost to the slate ones).
          triggerTone="normal"
          triggerClassName="w-full sm:w-auto"
          size="wide"
          action={() => revokeApiKeyAction(portalId, keyId)}
          onDone={() => setIsDone(true)}
        />
      )}
    </div>
  );
}
