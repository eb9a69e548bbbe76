"use client";

import { type ReactNode, useEffect, useRef } from "react";

/**
 * A menu on <details>: it opens without JavaScript, and with it closes on a click outside, on
 * Escape, and after choosing a link or button inside (the layout stays mounted on navigation).
 */
export function Dropdown({
  summary,
  summaryLabel,
  children,
  align = "end",
  panelClassName = "w-64",
}: {
  summary: ReactNode;
  summaryLabel?: string;
  children: ReactNode;
  align?: "start" | "end";
  panelClassName?: string;
}) {
  const ref = useRef<HTMLDetailsElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const details = ref.current;
    const panel = panelRef.current;
    if (!details || !panel) return;
    const close = () => details.removeAttribute("open");
    const onPointerDown = (event: PointerEvent) => {
      if (details.open && event.target instanceof Node && !details.contains(event.target)) close();
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || !details.open) return;
      close();
      details.querySelector("summary")?.focus();
    };
    const onPanelClick = (event: MouseEvent) => {
      if (event.target instanceof Element && event.target.closest("a[href], button[type=submit]")) close();
    };
    document.addEventListener("pointerdown", onPointerDown);
    document.addEventListener("keydown", onKeyDown);
    panel.addEventListener("click", onPanelClick);
    return () => {
      document.removeEventListener("pointerdown", onPointerDown);
      document.removeEventListener("keydown", onKeyDown);
      panel.removeEventListener("click", onPanelClick);
    };
  }, []);

  return (
    <details ref={ref} className="group relative">
      <summary
        aria-label={summaryLabel}
        className="flex cursor-pointer list-none items-center rounded-md outline-none select-none focus-visible:ring-2 focus-visible:ring-brand-500 [&::-webkit-details-marker]:hidden"
      >
        {summary}
      </summary>
      <div
        ref={panelRef}
        className={`absolute z-40 mt-2 max-w-[calc(100vw-2rem)] rounded-lg border border-slate-200 bg-white p-1 shadow-lg ${
          align === "end" ? "right-0" : "left-0"
        } ${panelClassName}`}
      >
        {children}
      </div>
    </details>
  );
}
