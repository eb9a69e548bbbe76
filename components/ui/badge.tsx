import type { ReactNode } from "react";

export type BadgeTone = "green" | "yellow" | "orange" | "blue" | "red" | "grey" | "brand";

const TONES: Record<BadgeTone, { pill: string; dot: string }> = {
  green: { pill: "bg-emerald-50 text-emerald-800 ring-emerald-600/20", dot: "bg-emerald-500" },
  yellow: { pill: "bg-yellow-50 text-yellow-800 ring-yellow-600/25", dot: "bg-yellow-400" },
  orange: { pill: "bg-orange-50 text-orange-800 ring-orange-600/20", dot: "bg-orange-500" },
  blue: { pill: "bg-sky-50 text-sky-800 ring-sky-600/20", dot: "bg-sky-500" },
  red: { pill: "bg-red-50 text-red-800 ring-red-600/20", dot: "bg-red-500" },
  grey: { pill: "bg-slate-100 text-slate-700 ring-slate-500/20", dot: "bg-slate-400" },
  brand: { pill: "bg-brand-50 text-brand-700 ring-brand-600/20", dot: "bg-brand-500" },
};

/** A small rounded pill with a coloured dot: statuses and integration kinds. */
export function Badge({
  tone,
  children,
  className = "",
}: {
  tone: BadgeTone;
  children: ReactNode;
  className?: string;
}) {
  const { pill, dot } = TONES[tone];
  return (
    <span
      className={`inline-flex max-w-full items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${pill} ${className}`}
    >
      <span aria-hidden="true" className={`size-1.5 shrink-0 rounded-full ${dot}`} />
      <span className="truncate">{children}</span>
    </span>
  );
}
