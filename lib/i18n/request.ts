import { getRequestConfig } from "next-intl/server";
import { MESSAGES } from "./messages";
import { resolveLocale } from "./resolve-locale";

export default getRequestConfig(async () => {
  const locale = await resolveLocale();
  return { locale, messages: MESSAGES[locale], timeZone: "Europe/Brussels" };
});
