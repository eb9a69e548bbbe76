import type { Metadata } from "next";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { ClientMessages } from "@/components/ui/client-messages";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db";
import { orNotFound } from "@/lib/actions/or-not-found";
import { requireActor } from "@/lib/auth/session";
import { getPendingShare } from "@/lib/share/share";
import { formatFileSize } from "@/lib/text/file-size";
import { PickDossierForm } from "./_components/pick-dossier-form";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("share.pick");
  return { title: t("metaTitle") };
}

/**
 * Files shared from a phone by someone with several dossiers: which one are they for? Only the
 * person who shared sees this page (anyone else, and an expired share: 404).
 */
export default function PickSharePage(props: Parameters<typeof PickSharePageContent>[0]) {
  return (
    <ClientMessages area="share">
      <PickSharePageContent {...props} />
    </ClientMessages>
  );
}

async function PickSharePageContent({ params }: { params: Promise<{ shareId: string }> }) {
  const { shareId } = await params;
  const actor = await requireActor();
  const [share, t, format, locale] = await Promise.all([
    orNotFound(getPendingShare(await getDb(), actor, shareId)),
    getTranslations("share.pick"),
    getFormatter(),
    getLocale(),
  ]);
  const count = share.files.length;
  return (
    <div className="mx-auto w-full max-w-lg">
      <PageHeader title={t("title", { count })} description={t("intro", { count })} />
      <div className="flex flex-col gap-6">
        <section aria-labelledby="shared-files" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
          <h2 id="shared-files" className="text-sm font-semibold text-slate-900">
            {t("filesLabel")}
          </h2>
          <ul className="mt-2 flex flex-col gap-1 text-sm text-slate-700">
            {share.files.map((file, index) => (
              // Two shared files may bear the same name: their place is their identity.
              // biome-ignore lint/suspicious/noArrayIndexKey: the list never changes order.
              <li key={index} className="flex justify-between gap-3">
                <span className="min-w-0 truncate">{file.fileName}</span>
                <span className="shrink-0 text-slate-500">{formatFileSize(file.sizeBytes, `${locale}-BE`)}</span>
              </li>
            ))}
          </ul>
        </section>

        <section aria-labelledby="pick-dossier" className="flex flex-col gap-3">
          <h2 id="pick-dossier" className="text-base font-semibold text-slate-900">
            {t("dossiersLabel")}
          </h2>
          {share.dossiers.length > 0 ? (
            <PickDossierForm
              shareId={share.id}
              labelledBy="pick-dossier"
              dossiers={share.dossiers.map(({ id, name, portalName }) => ({ id, name, portalName }))}
            />
          ) : (
            // Access to every dossier was taken away since the files were shared.
            <p className="text-sm text-slate-700">{t("noDossier")}</p>
          )}
          <p className="text-sm text-slate-600">
            {t("expires", { time: format.dateTime(share.expiresAt, { dateStyle: "medium", timeStyle: "short" }) })}
          </p>
        </section>
      </div>
    </div>
  );
}
