"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";

/** Copies `value` (or what `getValue` resolves to) to the clipboard and says so for a moment. */
export function CopyButton({
  value,
  getValue,
  label,
}: {
  value?: string;
  getValue?: () => Promise<string | null>;
  /** What is copied, for screen readers: the button reads "Copy <label>". */
  label?: string;
}) {
  const t = useTranslations("common.copy");
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");

  async function copy() {
    try {
      const text = value ?? (await getValue?.()) ?? null;
      if (text === null) throw new Error("nothing to copy");
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
    setTimeout(() => setState("idle"), 2500);
  }

  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        onClick={copy}
        className="inline-flex min-h-11 shrink-0 items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 shadow-xs hover:bg-slate-50"
      >
        {state === "copied" ? t("copied") : t("copy")}
        {label ? <span className="sr-only"> {label}</span> : null}
      </button>
      <span role="status" className={state === "failed" ? "text-sm text-red-700" : "sr-only"}>
        {state === "failed" ? t("failed") : state === "copied" ? t("copied") : ""}
      </span>
    </span>
  );
}
