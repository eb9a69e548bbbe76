import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { ReasonText } from "@/components/documents/reason-text";
import { DocumentStatusBadge } from "@/components/documents/status-badge";
import { targetDetailsText } from "@/lib/connectors/target";
import { formatCompanyNumber } from "@/lib/dossiers/company-number";
import type { FailureItem } from "@/lib/failures/list";

/**
 * One failed or rejected document as a card (phones and desktops alike: a wide table would not
 * fit 390 px): the document with a link to its page, its dossier, when, where it was going and
 * the reason in the reader's language.
 */
export function FailureCard({ item }: { item: FailureItem }) {
  const t = useTranslations();
  const format = useFormatter();
  const documentHref = `/dossiers/${item.dossierId}/documents/${item.documentId}`;
  const target = item.target;
  // The package first (the document page shows it in a column of its own), then the same details.
  const targetText = target
    ? [
        target.packageName ?? (target.channel === "email" ? t("failures.target.freeMail") : null),
        targetDetailsText(target),
      ]
        .filter(Boolean)
        .join(" · ")
    : null;
  return (
    <li
      data-document-id={item.documentId}
      className="flex flex-col gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <Link
          href={documentHref}
          className="min-w-0 font-medium break-all text-brand-700 hover:text-brand-600 hover:underline"
        >
          {item.fileName}
        </Link>
        <DocumentStatusBadge status={item.status} />
      </div>
      <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-3">
        <div className="min-w-0">
          <dt className="text-xs font-medium text-slate-500">{t("failures.item.dossier")}</dt>
          <dd className="min-w-0">
            <Link href={`/dossiers/${item.dossierId}`} className="text-slate-900 hover:underline">
              {item.dossierName}
            </Link>
            <span className="ml-1.5 whitespace-nowrap text-slate-500">{formatCompanyNumber(item.companyNumber)}</span>
          </dd>
        </div>
        <div className="min-w-0">
          <dt className="text-xs font-medium text-slate-500">{t("failures.item.when")}</dt>
          <dd className="text-slate-900">
            <time dateTime={item.at.toISOString()}>
              {format.dateTime(item.at, { dateStyle: "medium", timeStyle: "short" })}
            </time>
          </dd>
        </div>
        <div className="min-w-0">
          <dt className="text-xs font-medium text-slate-500">{t("failures.item.target")}</dt>
          <dd className="break-words text-slate-900">{targetText || t("failures.item.noTarget")}</dd>
        </div>
      </dl>
      <p
        className={`rounded-md px-3 py-2 text-sm ${
          item.status === "failed" ? "bg-red-50 text-red-800" : "bg-orange-50 text-orange-900"
        }`}
      >
        <span className="font-semibold">
          {item.status === "rejected" ? t("documents.packageReason") : t("documents.reason")}:{" "}
        </span>
        <ReasonText reason={item.lastErrorReason} fallback={t("documents.noReason")} />
      </p>
    </li>
  );
}
