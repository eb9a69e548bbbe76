"use client";

import { useTranslations } from "next-intl";
import { SettingSwitch } from "@/components/ui/setting-switch";
import { setFailureDigestAction } from "../actions";

/** The admin's own daily failure digest switch for this portal. */
export function FailureDigestSetting({ portalId, isEnabled }: { portalId: string; isEnabled: boolean }) {
  const t = useTranslations("portal.digest.settings");
  return (
    <SettingSwitch
      label={t("enabled")}
      description={t("description")}
      isEnabled={isEnabled}
      save={(enabled) => setFailureDigestAction({ portalId, enabled })}
      testId="failure-digest-switch"
    />
  );
}
