import Link from "next/link";
import { useTranslations } from "next-intl";

/** Page numbers to show: first, last, and the current page with its neighbours; "gap-N" = an ellipsis after page N. */
export function pageWindow(page: number, pageCount: number): (number | `gap-${number}`)[] {
  const pages = new Set([1, pageCount, page - 1, page, page + 1]);
  const sorted = [...pages].filter((p) => p >= 1 && p <= pageCount).sort((a, b) => a - b);
  const out: (number | `gap-${number}`)[] = [];
  for (const p of sorted) {
    const previous = out[out.length - 1];
    if (typeof previous === "number" && p - previous === 2) out.push(p - 1);
    else if (typeof previous === "number" && p - previous > 2) out.push(`gap-${previous}`);
    out.push(p);
  }
  return out;
}

/**
 * Page links that keep the other search parameters (?q=…). Plain links: they work without
 * JavaScript and can be bookmarked.
 */
export function Pagination({
  page,
  pageCount,
  pathname,
  searchParams = {},
}: {
  page: number;
  pageCount: number;
  pathname: string;
  searchParams?: Record<string, string | undefined>;
}) {
  const t = useTranslations("common.pagination");
  if (pageCount <= 1) return null;
  const hrefFor = (target: number) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(searchParams)) if (value && key !== "page") params.set(key, value);
    if (target > 1) params.set("page", String(target));
    const query = params.toString();
    return query ? `${pathname}?${query}` : pathname;
  };
  const base = "inline-flex h-9 min-w-9 items-center justify-center rounded-md px-3 text-sm font-medium";
  const idle = `${base} text-slate-700 hover:bg-slate-100`;
  const disabled = `${base} text-slate-300`;
  return (
    <nav aria-label={t("label")} className="mt-4 flex items-center justify-between gap-3">
      <p className="text-sm text-slate-600">{t("summary", { page, pageCount })}</p>
      <ul className="flex items-center gap-1">
        <li>
          {page > 1 ? (
            <Link href={hrefFor(page - 1)} rel="prev" className={idle}>
              <span aria-hidden="true">←</span>
              <span className="ml-1 hidden sm:inline">{t("previous")}</span>
              <span className="sr-only sm:hidden">{t("previous")}</span>
            </Link>
          ) : (
            <span className={disabled} aria-hidden="true">
              ←<span className="ml-1 hidden sm:inline">{t("previous")}</span>
            </span>
          )}
        </li>
        {pageWindow(page, pageCount).map((p) =>
          typeof p === "string" ? (
            <li key={p} aria-hidden="true" className="hidden px-1 text-slate-400 sm:block">
              …
            </li>
          ) : (
            <li key={p} className="hidden sm:block">
              {p === page ? (
                <span aria-current="page" className={`${base} bg-brand-600 text-white`}>
                  {p}
                </span>
              ) : (
                <Link href={hrefFor(p)} aria-label={t("page", { page: p })} className={idle}>
                  {p}
                </Link>
              )}
            </li>
          ),
        )}
        <li>
          {page < pageCount ? (
            <Link href={hrefFor(page + 1)} rel="next" className={idle}>
              <span className="mr-1 hidden sm:inline">{t("next")}</span>
              <span className="sr-only sm:hidden">{t("next")}</span>
              <span aria-hidden="true">→</span>
            </Link>
          ) : (
            <span className={disabled} aria-hidden="true">
              <span className="mr-1 hidden sm:inline">{t("next")}</span>→
            </span>
          )}
        </li>
      </ul>
    </nav>
  );
}
