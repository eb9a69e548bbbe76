import { useTranslations } from "next-intl";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import type { ConnectionStatus } from "@/lib/connections/check";

const TONES: Record<ConnectionStatus, BadgeTone> = {
  not_checked: "grey",
  connected: "green",
  needs_reauth: "orange",
  error: "red",
  disabled: "grey",
};

export function ConnectionStatusBadge({ status }: { status: ConnectionStatus }) {
  const t = useTranslations("connections.status");
  return <Badge tone={TONES[status]}>{t(status)}</Badge>;
}
