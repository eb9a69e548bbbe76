import Link from "next/link";
import { useTranslations } from "next-intl";
import type { ReactNode } from "react";

export type Breadcrumb = { label: string; href?: string };

/**
 * The top of every page inside the app shell: optional breadcrumbs, the page's own h1, a line of
 * context and a slot for the page's main actions. The shell stays generic; pages say where they are.
 */
export function PageHeader({
  title,
  description,
  breadcrumbs = [],
  actions,
}: {
  title: ReactNode;
  description?: ReactNode;
  breadcrumbs?: Breadcrumb[];
  actions?: ReactNode;
}) {
  const t = useTranslations("common");
  return (
    <div className="mb-6 flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
      <div className="min-w-0">
        {breadcrumbs.length > 0 ? (
          <nav aria-label={t("breadcrumbs")} className="mb-1">
            <ol className="flex flex-wrap items-center gap-1 text-sm text-slate-500">
              {breadcrumbs.map((crumb, index) => (
                <li key={crumb.href ?? crumb.label} className="flex min-w-0 items-center gap-1">
                  {index > 0 ? (
                    <span aria-hidden="true" className="text-slate-300">
                      /
                    </span>
                  ) : null}
                  {crumb.href ? (
                    <Link href={crumb.href} className="truncate hover:text-slate-800 hover:underline">
                      {crumb.label}
                    </Link>
                  ) : (
                    <span className="truncate">{crumb.label}</span>
                  )}
                </li>
              ))}
            </ol>
          </nav>
        ) : null}
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
        {description ? <p className="mt-1 text-sm text-slate-600">{description}</p> : null}
      </div>
      {actions ? <div className="flex shrink-0 flex-wrap items-center gap-2">{actions}</div> : null}
    </div>
  );
}
