"use client";

import { useTranslations } from "next-intl";
import { SettingSwitch } from "@/components/ui/setting-switch";
import { setAutoSendAction } from "../actions";

/**
 * The dossier's auto-send switch: when on, a document that becomes recognised goes to the package
 * without anyone clicking. Entrepreneurs, accountants and admins may switch it.
 */
export function AutoSendSetting({ dossierId, isEnabled }: { dossierId: string; isEnabled: boolean }) {
  const t = useTranslations("dossier.settings.autoSend");
  return (
    <SettingSwitch
      label={t("label")}
      description={(isOn) => (isOn ? t("onHint") : t("offHint"))}
      isEnabled={isEnabled}
      save={(enabled) => setAutoSendAction({ dossierId, enabled })}
    />
  );
}
