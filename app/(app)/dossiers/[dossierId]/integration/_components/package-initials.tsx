/** A neutral badge with a package's initials (no third-party logos). */
export function PackageInitials({ initials, size = "md" }: { initials: string; size?: "sm" | "md" }) {
  return (
    <span
      aria-hidden="true"
      className={`inline-flex shrink-0 items-center justify-center rounded-md bg-slate-100 font-semibold tracking-wide text-slate-600 ring-1 ring-slate-200 ring-inset ${
        size === "sm" ? "size-7 text-[0.65rem]" : "size-9 text-xs"
      }`}
    >
      {initials}
    </span>
  );
}
