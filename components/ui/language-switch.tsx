import { getLocale, getTranslations } from "next-intl/server";
import { setLocaleAction } from "@/app/locale-actions";
import { LOCALES } from "@/lib/i18n/config";

/** NL · FR · EN buttons; a plain form so it works before JavaScript loads. */
export async function LanguageSwitch() {
  const locale = await getLocale();
  const t = await getTranslations("common");
  return (
    <form action={setLocaleAction} className="flex items-center" aria-label={t("language.label")}>
      {LOCALES.map((code) => (
        // The button is a 44 × 44 px touch target; the small pill inside it is what shows.
        <button
          key={code}
          type="submit"
          name="locale"
          value={code}
          aria-pressed={code === locale}
          title={t(`language.names.${code}`)}
          className="group inline-flex size-11 items-center justify-center rounded-md text-xs font-semibold uppercase focus-visible:outline-2 focus-visible:outline-brand-500"
        >
          <span
            className={`rounded px-2 py-1 ${
              code === locale ? "bg-brand-600 text-white" : "text-slate-600 group-hover:bg-slate-200"
            }`}
          >
            {code}
          </span>
        </button>
      ))}
    </form>
  );
}
