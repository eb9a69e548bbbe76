"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { Dropdown } from "@/components/ui/dropdown";

export type Workspace = { kind: "portal" | "dossier"; id: string; name: string; href: string };

function isCurrent(pathname: string, workspace: Workspace): boolean {
  return pathname === workspace.href || pathname.startsWith(`${workspace.href}/`);
}

/**
 * The office or dossier the user is working in, and the others they can switch to: accountants
 * see their office(s), an entrepreneur with two companies both dossiers.
 */
export function WorkspaceSwitcher({
  workspaces,
  label,
  groupLabels,
}: {
  workspaces: Workspace[];
  label: string;
  groupLabels: { portal: string; dossier: string };
}) {
  const pathname = usePathname();
  const first = workspaces[0];
  if (!first) return null;
  const current = workspaces.find((workspace) => isCurrent(pathname, workspace)) ?? first;

  if (workspaces.length === 1) {
    return (
      <Link
        href={first.href}
        className="min-w-0 truncate rounded-md px-2 py-1 text-sm font-medium text-slate-700 hover:bg-slate-100"
      >
        {first.name}
      </Link>
    );
  }

  const groups = (["portal", "dossier"] as const)
    .map((kind) => ({ kind, items: workspaces.filter((workspace) => workspace.kind === kind) }))
    .filter((group) => group.items.length > 0);

  return (
    <Dropdown
      align="start"
      panelClassName="w-72"
      summaryLabel={label}
      summary={
        <span className="flex max-w-[calc(100vw-9.5rem)] items-center gap-1.5 rounded-md border border-slate-200 bg-white px-2.5 py-1.5 text-sm font-medium text-slate-800 shadow-xs hover:border-slate-300 sm:max-w-xs">
          <span className="truncate">{current.name}</span>
          <svg
            aria-hidden="true"
            viewBox="0 0 20 20"
            className="size-4 shrink-0 text-slate-400 transition-transform group-open:rotate-180"
          >
            <path
              fill="currentColor"
              d="M5.2 7.7a.75.75 0 0 1 1.06.04L10 11.7l3.74-3.96a.75.75 0 1 1 1.1 1.02l-4.3 4.55a.75.75 0 0 1-1.1 0l-4.3-4.55a.75.75 0 0 1 .06-1.06Z"
            />
          </svg>
        </span>
      }
    >
      {groups.map((group) => (
        <div key={group.kind} className="py-1">
          {groups.length > 1 ? (
            <p className="px-3 pt-1 pb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">
              {groupLabels[group.kind]}
            </p>
          ) : null}
          <ul>
            {group.items.map((workspace) => {
              const active = workspace === current;
              return (
                <li key={`${workspace.kind}-${workspace.id}`}>
                  <Link
                    href={workspace.href}
                    aria-current={active ? "page" : undefined}
                    className={`flex items-center justify-between gap-2 rounded-md px-3 py-2 text-sm ${
                      active ? "bg-brand-50 font-medium text-brand-700" : "text-slate-700 hover:bg-slate-100"
                    }`}
                  >
                    <span className="truncate">{workspace.name}</span>
                    {active ? (
                      <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4 shrink-0">
                        <path
                          fill="currentColor"
                          d="M16.7 5.3a1 1 0 0 1 0 1.4l-7.5 7.5a1 1 0 0 1-1.4 0l-3.5-3.5a1 1 0 1 1 1.4-1.4l2.8 2.79 6.8-6.8a1 1 0 0 1 1.4 0Z"
                        />
                      </svg>
                    ) : null}
                  </Link>
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </Dropdown>
  );
}
