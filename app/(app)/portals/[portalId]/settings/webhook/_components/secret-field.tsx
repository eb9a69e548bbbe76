"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import { RevealableSecret } from "@/components/ui/revealable-secret";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { revealRecognitionSecretAction } from "../actions";

/** The office's recognition secret, masked until an admin asks for it. */
export function SecretField({ portalId }: { portalId: string }) {
  const t = useTranslations("recognition.secret");
  const errorMessage = useErrorMessage();
  const [error, setError] = useState<string | null>(null);

  async function fetchSecret(): Promise<string | null> {
    const result = await revealRecognitionSecretAction(portalId);
    if (!result.ok) {
      setError(errorMessage(result.error.messageKey));
      return null;
    }
    return result.secret;
  }

  return (
    <div>
      <RevealableSecret
        fetchSecret={fetchSecret}
        onError={setError}
        labels={{ reveal: t("reveal"), hide: t("hide"), hiddenValue: t("hiddenValue"), label: t("label") }}
      />
      {error ? (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
