"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { ConfirmAction } from "@/components/ui/confirm-action";
import { deleteDocumentAction } from "../../../actions";
import { confirmNotDuplicateAction } from "../actions";

/**
 * The "possible duplicate" hold on a document: which document it resembles (a link with its name,
 * number and date, already formatted by the page), and the two ways out: "it is a different
 * document" (it is then sent like any other) or delete it. The buttons show only when the server
 * said they are allowed; the services check again.
 */
export function PossibleDuplicateHold({
  dossierId,
  documentId,
  other,
  isAmountCompared,
  canConfirm,
  canDelete,
}: {
  dossierId: string;
  documentId: string;
  /** The earlier document; null when it is no longer there to show. */
  other: { href: string; label: string; details: string } | null;
  /** Both have an amount, and it is the same. */
  isAmountCompared: boolean;
  canConfirm: boolean;
  canDelete: boolean;
}) {
  const t = useTranslations("duplicates");
  const router = useRouter();
  return (
    <div
      className="flex flex-col gap-2 rounded-md bg-amber-50 px-3 py-2.5 text-sm text-amber-950"
      data-testid="possible-duplicate"
    >
      <p className="font-semibold">{t("title")}</p>
      <p>
        {t("heldOf")}{" "}
        {other ? (
          <>
            <Link href={other.href} className="font-medium break-all underline" data-testid="possible-duplicate-link">
              {other.label}
            </Link>
            {other.details ? <span> ({other.details})</span> : null}
          </>
        ) : (
          t("otherUnknown")
        )}
      </p>
      <p className="text-amber-900">{t("explanation", { amount: isAmountCompared ? "yes" : "no" })}</p>
      <div className="flex flex-wrap gap-2">
        {canConfirm ? (
          <ConfirmAction
            label={t("confirm")}
            title={t("confirmTitle")}
            body={t("confirmBody")}
            confirmLabel={t("confirmAction")}
            cancelLabel={t("cancel")}
            tone="normal"
            action={() => confirmNotDuplicateAction({ dossierId, documentId })}
            onDone={() => router.refresh()}
            doneMessage={() => t("confirmed")}
          />
        ) : null}
        {canDelete ? (
          <ConfirmAction
            label={t("delete")}
            title={t("deleteTitle")}
            body={t("deleteBody")}
            confirmLabel={t("deleteAction")}
            cancelLabel={t("cancel")}
            action={() => deleteDocumentAction({ dossierId, documentId })}
            onDone={() => router.push(`/dossiers/${dossierId}`)}
          />
        ) : null}
      </div>
    </div>
  );
}
