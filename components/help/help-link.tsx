import Link from "next/link";
import { useTranslations } from "next-intl";

/**
 * The in-context link to the help ("?"): an article's section that explains the thing next to it.
 * The address comes from lib/help/links.ts (one builder, which the tests check resolves);
 * `isNewTab` for links inside a form, so what was typed is not lost. Works in server and client
 * components (its messages are "help.link", in the client areas that render it).
 *
 * Its accessible name is the same everywhere ("Read how"), its title says the topic ("Help:
 * Exact Online"): a name holding the topic would also answer every search for that topic's own
 * link or heading (the card's, the group's), next to which it always stands. Its look and its "?"
 * are the `help-link` class (app/globals.css): a list with one per row stays light.
 */
export function HelpLink({ href, topic, isNewTab = false }: { href: string; topic?: string; isNewTab?: boolean }) {
  const t = useTranslations("help.link");
  return (
    <Link
      href={href}
      aria-label={t("default")}
      {...(topic ? { title: t("about", { topic }) } : {})}
      {...(isNewTab ? { target: "_blank", rel: "noopener" } : {})}
      className="help-link"
    />
  );
}
