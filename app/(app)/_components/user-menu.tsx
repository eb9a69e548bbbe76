import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { Dropdown } from "@/components/ui/dropdown";
import { SignOutButton } from "./sign-out-button";

function initialsOf(name: string | null, email: string): string {
  const source = name?.trim() || email;
  const parts = source.split(/[\s.@_-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? "") + (parts[1]?.[0] ?? "")).toUpperCase() || "?";
}

/** Who is signed in, the language (on phones; desktops have it in the bar) and sign-out. */
export function UserMenu({
  name,
  email,
  languageSwitch,
}: {
  name: string | null;
  email: string;
  languageSwitch: ReactNode;
}) {
  const t = useTranslations("common.shell");
  return (
    <Dropdown
      summaryLabel={t("accountMenu")}
      panelClassName="w-72"
      summary={
        <span className="flex items-center gap-2 rounded-md px-1 py-1 hover:bg-slate-100 sm:px-2">
          <span
            aria-hidden="true"
            className="flex size-8 items-center justify-center rounded-full bg-brand-100 text-xs font-semibold text-brand-700"
          >
            {initialsOf(name, email)}
          </span>
          <span className="hidden max-w-56 flex-col text-left leading-tight lg:flex">
            <span className="truncate text-sm font-medium text-slate-800">{name ?? email}</span>
            {name ? <span className="truncate text-xs text-slate-500">{email}</span> : null}
          </span>
        </span>
      }
    >
      <div className="border-b border-slate-100 px-3 py-2">
        <p className="text-xs text-slate-500">{t("signedInAs")}</p>
        {name ? <p className="truncate text-sm font-medium text-slate-900">{name}</p> : null}
        <p className="truncate text-sm text-slate-600">{email}</p>
      </div>
      <div className="border-b border-slate-100 px-3 py-2 sm:hidden">{languageSwitch}</div>
      <div className="pt-1">
        <SignOutButton />
      </div>
    </Dropdown>
  );
}
