import { useTranslations } from "next-intl";

/**
 * Said once where Send buttons would be, for a dossier set to "no integration needed": why its
 * documents have none (lib/documents/sending-view.ts).
 */
export function SendingOffNotice() {
  const t = useTranslations("sendingOff");
  return (
    <p
      data-testid="sending-off"
      className="rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-700 ring-1 ring-slate-200 ring-inset"
    >
      {t("notice")}
    </p>
  );
}
