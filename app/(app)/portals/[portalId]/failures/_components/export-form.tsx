import { useTranslations } from "next-intl";
import type { DeliveryLogRangeError } from "@/lib/failures/schemas";

/**
 * The delivery log as CSV for a period: a plain GET form to the export route, so the browser
 * downloads the file itself (streamed, whatever its size) and it works without JavaScript.
 */
export function ExportForm({
  portalId,
  from,
  to,
  error,
}: {
  portalId: string;
  from: string;
  to: string;
  /** Why the last period was refused (the route sent the form back here). */
  error: DeliveryLogRangeError | null;
}) {
  const t = useTranslations("failures.export");
  const inputClass =
    "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-base shadow-xs focus:border-brand-500 focus:ring-2 focus:ring-brand-100 focus:outline-none sm:text-sm";
  return (
    <section
      aria-labelledby="delivery-log-title"
      className="mt-10 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5"
    >
      <h2 id="delivery-log-title" className="font-semibold text-slate-900">
        {t("title")}
      </h2>
      <p className="mt-1 max-w-3xl text-sm text-slate-600">{t("body")}</p>
      {error ? (
        <p
          id="delivery-log-error"
          role="alert"
          className="mt-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800"
        >
          {t(`errors.${error}`)}
        </p>
      ) : null}
      <form
        method="get"
        action={`/api/portals/${portalId}/delivery-log`}
        className="mt-4 flex flex-col gap-3 sm:flex-row sm:items-end"
      >
        <div className="sm:w-44">
          <label htmlFor="delivery-log-from" className="mb-1 block text-sm font-medium text-slate-700">
            {t("from")}
          </label>
          <input
            id="delivery-log-from"
            type="date"
            name="from"
            required
            defaultValue={from}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "delivery-log-error" : undefined}
            className={inputClass}
          />
        </div>
        <div className="sm:w-44">
          <label htmlFor="delivery-log-to" className="mb-1 block text-sm font-medium text-slate-700">
            {t("to")}
          </label>
          <input
            id="delivery-log-to"
            type="date"
            name="to"
            required
            defaultValue={to}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "delivery-log-error" : undefined}
            className={inputClass}
          />
        </div>
        <button
          type="submit"
          className="inline-flex min-h-11 items-center justify-center rounded-md border border-slate-300 bg-white px-3.5 text-sm font-medium text-slate-800 shadow-xs hover:bg-slate-50"
        >
          {t("submit")}
        </button>
      </form>
    </section>
  );
}
