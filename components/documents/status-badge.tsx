import { useTranslations } from "next-intl";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import type { DocumentStatus } from "@/lib/documents/list";

const TONES: Record<DocumentStatus, BadgeTone> = {
  inbox: "grey",
  sending: "blue",
  sent: "green",
  failed: "red",
  rejected: "orange",
};

/** Where a document stands: Inbox, Sending, Sent, Failed or Rejected, translated. */
export function DocumentStatusBadge({ status }: { status: DocumentStatus }) {
  const t = useTranslations("documents.status");
  return <Badge tone={TONES[status]}>{t(status)}</Badge>;
}
