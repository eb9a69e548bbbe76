import { useFormatter, useTranslations } from "next-intl";
import { Badge } from "@/components/ui/badge";
import type { EndpointStatus } from "@/lib/webhooks/endpoints";

/** An endpoint's state: active, switched off by hand, or switched off because it kept failing. */
export function EndpointStatusBadge({ status }: { status: EndpointStatus }) {
  const t = useTranslations("webhooks.status");
  if (status === "active") return <Badge tone="green">{t("active")}</Badge>;
  if (status === "disabled_failing") return <Badge tone="red">{t("disabledFailing")}</Badge>;
  return <Badge tone="grey">{t("disabledManual")}</Badge>;
}

/** "Messages have failed since …", for an active endpoint whose last tries failed. */
export function FailingSince({ since }: { since: Date }) {
  const t = useTranslations("webhooks.status");
  const format = useFormatter();
  return (
    <p className="text-sm text-orange-800">
      {t("failingSince", { since: format.dateTime(since, { dateStyle: "medium", timeStyle: "short" }) })}
    </p>
  );
}
