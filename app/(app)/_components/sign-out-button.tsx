import { useTranslations } from "next-intl";
import { signOutAction } from "./actions";

/** A plain form, so signing out works before JavaScript has loaded. */
export function SignOutButton({ label, className }: { label?: string; className?: string }) {
  const t = useTranslations("common.shell");
  return (
    <form action={signOutAction}>
      <button
        type="submit"
        className={
          className ??
          "flex w-full items-center gap-2 rounded-md px-3 py-2 text-left text-sm font-medium text-slate-700 hover:bg-slate-100"
        }
      >
        {label ?? t("signOut")}
      </button>
    </form>
  );
}
