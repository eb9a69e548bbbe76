import { useTranslations } from "next-intl";
import { useReasonText } from "./use-reason-text";

/**
 * Why a document failed or was refused by the package, on a tinted line (the document list's rows).
 */
export function FailureReason({ status, reason }: { status: "failed" | "rejected"; reason: string | null }) {
  const t = useTranslations("documents");
  const reasonText = useReasonText();
  return (
    <p
      className={`rounded-md px-2.5 py-1.5 text-xs ${
        status === "failed" ? "bg-red-50 text-red-800" : "bg-orange-50 text-orange-900"
      }`}
    >
      <span className="font-semibold">{status === "rejected" ? t("packageReason") : t("reason")}: </span>
      {reasonText(reason) ?? t("noReason")}
    </p>
  );
}
