/**
 * The classes of the plain buttons that sit in a page's rows and in ConfirmAction's question. Each
 * page keeps the size it had, so a button next to a ConfirmAction matches it.
 */
export type ButtonSize = "compact" | "regular" | "wide" | "responsive";

/** "danger" for what removes or cannot be undone; "normal" otherwise. */
export type ButtonTone = "danger" | "normal";

const SIZE_CLASSES: Record<ButtonSize, string> = {
  compact: "min-h-9 px-3 py-1.5",
  regular: "min-h-11 px-3 py-2",
  wide: "min-h-11 px-4 py-2",
  /** A thumb's height on phones, the desktop's from the small breakpoint up. */
  responsive: "min-h-11 px-4 py-2 sm:min-h-9 sm:px-3",
};

/** White with a grey border: slate words, or red ones for a button that removes something. */
export function outlineButtonClass(size: ButtonSize, tone: ButtonTone = "normal"): string {
  const colours = tone === "danger" ? "text-red-700 hover:bg-red-50" : "text-slate-800 hover:bg-slate-50";
  return `inline-flex items-center justify-center rounded-md border border-slate-300 bg-white text-sm font-medium shadow-xs disabled:cursor-not-allowed disabled:opacity-60 ${SIZE_CLASSES[size]} ${colours}`;
}

/** Filled: red for what cannot be undone, the brand's colour otherwise. */
export function solidButtonClass(size: ButtonSize, tone: ButtonTone): string {
  const colours = tone === "danger" ? "bg-red-600 hover:bg-red-700" : "bg-brand-600 hover:bg-brand-700";
  return `inline-flex items-center justify-center rounded-md text-sm font-medium text-white shadow-xs disabled:opacity-60 ${SIZE_CLASSES[size]} ${colours}`;
}
