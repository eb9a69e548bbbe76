import Link from "next/link";
import { useTranslations } from "next-intl";

const BASE =
  "inline-flex min-h-11 min-w-28 items-center justify-center gap-2 rounded-lg border px-4 text-sm font-medium";

/**
 * "Newer" / "Older" for a keyset-paged list: the list knows where a page starts and ends, not
 * which number it has. Renders nothing when everything fits on one page.
 */
export function DocumentPagination({ newerHref, olderHref }: { newerHref: string | null; olderHref: string | null }) {
  const t = useTranslations("documents.pagination");
  if (!newerHref && !olderHref) return null;
  const enabled = `${BASE} border-slate-300 bg-white text-slate-800 shadow-sm hover:bg-slate-50`;
  const disabled = `${BASE} border-slate-200 text-slate-300`;
  return (
    <nav aria-label={t("label")} className="mt-4 flex items-center justify-between gap-3">
      {newerHref ? (
        <Link href={newerHref} rel="prev" className={enabled}>
          <span aria-hidden="true">←</span>
          {t("newer")}
        </Link>
      ) : (
        <span aria-disabled="true" className={disabled}>
          <span aria-hidden="true">←</span>
          {t("newer")}
        </span>
      )}
      {olderHref ? (
        <Link href={olderHref} rel="next" className={enabled}>
          {t("older")}
          <span aria-hidden="true">→</span>
        </Link>
      ) : (
        <span aria-disabled="true" className={disabled}>
          {t("older")}
          <span aria-hidden="true">→</span>
        </span>
      )}
    </nav>
  );
}
