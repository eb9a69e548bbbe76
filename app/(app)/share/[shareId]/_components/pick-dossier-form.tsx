"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { type PickShareState, pickShareDossierAction } from "../actions";

export type PickableDossier = { id: string; name: string; portalName: string };

/**
 * One button per dossier: a tap uploads the shared files there. The office is named when the
 * person's dossiers are in more than one, so two dossiers of the same name stay apart.
 */
export function PickDossierForm({
  shareId,
  dossiers,
  labelledBy,
}: {
  shareId: string;
  dossiers: PickableDossier[];
  labelledBy: string;
}) {
  const t = useTranslations("share.pick");
  const errorMessage = useErrorMessage();
  const [state, formAction, isPending] = useActionState<PickShareState, FormData>(pickShareDossierAction, null);
  const showOffice = new Set(dossiers.map((dossier) => dossier.portalName)).size > 1;
  return (
    <form action={formAction} className="flex flex-col gap-3">
      <input type="hidden" name="shareId" value={shareId} />
      {state && !state.ok ? (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800">
          {errorMessage(state.error.messageKey)}
        </p>
      ) : null}
      <ul aria-labelledby={labelledBy} className="flex flex-col gap-2">
        {dossiers.map((dossier) => (
          <li key={dossier.id}>
            <button
              type="submit"
              name="dossierId"
              value={dossier.id}
              disabled={isPending}
              className="flex min-h-12 w-full flex-col items-start justify-center rounded-lg border border-slate-200 bg-white px-4 py-2 text-left shadow-xs hover:border-brand-500 hover:bg-brand-50 focus:ring-2 focus:ring-brand-100 focus:outline-none disabled:opacity-60"
            >
              <span className="font-medium text-slate-900">{dossier.name}</span>
              {showOffice ? <span className="text-sm text-slate-600">{dossier.portalName}</span> : null}
            </button>
          </li>
        ))}
      </ul>
      {isPending ? (
        <p role="status" className="text-sm text-slate-600">
          {t("adding")}
        </p>
      ) : null}
    </form>
  );
}
