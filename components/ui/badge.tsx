import type { ReactNode } from "react";

export type BadgeTone = "green" | "yellow" | "orange" | "blue" | "red" | "grey" | "brand";

/**
 * A small rounded pill with a coloured dot: statuses and integration kinds. Its look is the
 * `badge` classes of app/globals.css (the dot is drawn by CSS): one element and two short classes,
 * since a list can hold a hundred of them.
 */
export function Badge({
  tone,
  children,
  className = "",
}: {
  tone: BadgeTone;
  children: ReactNode;
  className?: string;
}) {
  return <span className={className ? `badge badge-${tone} ${className}` : `badge badge-${tone}`}>{children}</span>;
}
