"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState, useTransition } from "react";
import { outlineButtonClass } from "@/components/ui/button-class";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { tryNowAction } from "../actions";

/** "Try now" on a document that waits out an outage: its next try starts at once. */
export function TryNow({ dossierId, documentId }: { dossierId: string; documentId: string }) {
  const t = useTranslations("dispatch.tryNow");
  const errorMessage = useErrorMessage();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  return (
    <div className="flex flex-wrap items-center gap-2">
      <button
        type="button"
        className={outlineButtonClass("responsive")}
        disabled={pending}
        data-testid="try-now"
        onClick={() =>
          startTransition(async () => {
            const result = await tryNowAction({ dossierId, documentId });
            setMessage(result.ok ? t("done") : errorMessage(result.error.messageKey, result.error.messageValues));
            router.refresh();
          })
        }
      >
        {t("label")}
      </button>
      {message ? (
        <span role="status" className="text-sm">
          {message}
        </span>
      ) : null}
    </div>
  );
}
