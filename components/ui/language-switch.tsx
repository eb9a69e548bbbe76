import { getLocale, getTranslations } from "next-intl/server";
import { setLocaleAction } from "@/app/locale-actions";
import { LOCALES } from "@/lib/i18n/config";

/** NL · FR · EN buttons; a plain form so it works before JavaScript loads. */
export async function LanguageSwitch() {
  const locale = await getLocale();
  const t = await getTranslations("common");
  return (
    <form action={setLocaleAction} className="flex items-center gap-1" aria-label={t("language.label")}>
      {LOCALES.map((code) => (
        <button
          key={code}
          type="submit"
          name="locale"
          value={code}
          aria-pressed={code === locale}
          title={t(`language.names.${code}`)}
          className={`rounded px-2 py-1 text-xs font-semibold uppercase ${
            code === locale ? "bg-brand-600 text-white" : "text-slate-600 hover:bg-slate-200"
          }`}
        >
          {code}
        </button>
      ))}
    </form>
  );
}
