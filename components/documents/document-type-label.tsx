import { useTranslations } from "next-intl";
import { Badge } from "@/components/ui/badge";
import type { DocumentType } from "@/lib/documents/list";

/** The translated document type; a "Not recognised" badge while recognition found none. */
export function DocumentTypeLabel({ type }: { type: DocumentType | null }) {
  const t = useTranslations("documents.types");
  if (type === null) return <Badge tone="yellow">{t("notRecognised")}</Badge>;
  return <span>{t(type)}</span>;
}
