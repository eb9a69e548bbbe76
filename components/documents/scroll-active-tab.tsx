"use client";

import { useEffect } from "react";

/**
 * When the tab bar has to scroll sideways (it fits at 390 px; a very large text size can still
 * overflow it), this brings the current tab into view (e.g. Archived, the last one) without moving
 * the page vertically.
 */
export function ScrollActiveTabIntoView({ containerId }: { containerId: string }) {
  useEffect(() => {
    const container = document.getElementById(containerId);
    const active = container?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!container || !active || container.scrollWidth <= container.clientWidth) return;
    const left = active.offsetLeft - (container.clientWidth - active.offsetWidth) / 2;
    container.scrollLeft = Math.max(0, left);
  }, [containerId]);
  return null;
}
