"use client";

import { useFormatter, useTranslations } from "next-intl";
import { ConfirmAction } from "@/components/ui/confirm-action";
import { rotateRecognitionSecretAction } from "../actions";

/**
 * "Rotate secret", after a confirmation that says the current secret keeps working for 24 hours.
 * The server action refreshes the page, which then shows the new secret's date (still hidden).
 */
export function RotateSecretButton({ portalId }: { portalId: string }) {
  const t = useTranslations("recognition.rotate");
  const format = useFormatter();
  return (
    <ConfirmAction
      label={t("button")}
      title={t("confirmTitle")}
      body={t("confirmBody")}
      confirmLabel={t("confirm")}
      pendingLabel={t("rotating")}
      cancelLabel={t("cancel")}
      tone="normal"
      size="compact"
      action={() => rotateRecognitionSecretAction(portalId)}
      doneMessage={({ previousValidUntil }) =>
        previousValidUntil
          ? t("done", {
              date: format.dateTime(new Date(previousValidUntil), { dateStyle: "medium", timeStyle: "short" }),
            })
          : t("doneNoPrevious")
      }
    />
  );
}
