import { useTranslations } from "next-intl";
import { Badge } from "@/components/ui/badge";
import type { DocumentType } from "@/lib/documents/list";
import type { RecognitionView } from "@/lib/recognition/pending";

/**
 * The translated document type. Without one: "Being recognised…" while the office's recognition
 * step is expected to report it (`recognition` "pending", lib/recognition/pending.ts), else a
 * "Not recognised" badge.
 */
export function DocumentTypeLabel({ type, recognition }: { type: DocumentType | null; recognition?: RecognitionView }) {
  const t = useTranslations("documents.types");
  if (type === null && recognition === "pending") return <Badge tone="blue">{t("recognitionPending")}</Badge>;
  if (type === null) return <Badge tone="yellow">{t("notRecognised")}</Badge>;
  return t(type);
}
