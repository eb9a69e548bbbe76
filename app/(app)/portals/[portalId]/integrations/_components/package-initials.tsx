/** A neutral initials badge for a package (no third-party logos). */
export function PackageInitials({ initials, muted = false }: { initials: string; muted?: boolean }) {
  return (
    <span
      aria-hidden="true"
      className={`grid size-10 shrink-0 place-items-center rounded-lg text-sm font-semibold tracking-wide ring-1 ring-inset ${
        muted ? "bg-slate-50 text-slate-400 ring-slate-200" : "bg-slate-100 text-slate-700 ring-slate-300/70"
      }`}
    >
      {initials}
    </span>
  );
}
