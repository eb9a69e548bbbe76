"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { ConnectionForm } from "./connection-form";
import { PackageInitials } from "./package-initials";
import type { PickerOption } from "./types";

const CHANNELS = ["api", "ftp"] as const;

/**
 * "Add connection": pick a package and channel from the catalog, then fill the form generated
 * from that connector's schemas. Packages whose connector is not built yet are shown, disabled,
 * as coming soon.
 */
export function AddConnectionPanel({
  portalId,
  options,
  closeHref,
}: {
  portalId: string;
  options: PickerOption[];
  closeHref: string;
}) {
  const t = useTranslations("connections.add");
  const tChannels = useTranslations("connectors.channels");
  const router = useRouter();
  const idPrefix = useId();
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const selected = options.find((option) => option.key === selectedKey && option.isAvailable) ?? null;

  return (
    <section
      aria-labelledby={`${idPrefix}-title`}
      className="mb-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm sm:p-6"
    >
      <div className="flex items-start justify-between gap-4">
        <div>
          <h2 id={`${idPrefix}-title`} className="text-base font-semibold text-slate-900">
            {selected
              ? t("formTitle", { package: selected.packageName, channel: tChannels(selected.channel) })
              : t("title")}
          </h2>
          {selected ? null : <p className="mt-1 max-w-2xl text-sm text-slate-600">{t("intro")}</p>}
        </div>
        <Link href={closeHref} scroll={false} className="shrink-0 text-sm font-medium text-slate-600 hover:underline">
          {t("close")}
        </Link>
      </div>

      {selected ? (
        <div className="mt-4">
          <button
            type="button"
            onClick={() => setSelectedKey(null)}
            className="mb-4 inline-flex items-center gap-1.5 text-sm font-medium text-brand-700 hover:underline"
          >
            <span aria-hidden="true">←</span>
            {t("back")}
          </button>
          <ConnectionForm
            mode="create"
            portalId={portalId}
            packageId={selected.packageId}
            channel={selected.channel}
            form={selected.form}
            initial={{ label: selected.packageName, settings: {} }}
            onCancel={() => setSelectedKey(null)}
            onSaved={(connectionId) => router.push(`${closeHref}?created=${connectionId}`, { scroll: false })}
          />
        </div>
      ) : (
        <div className="mt-5 flex flex-col gap-6">
          {CHANNELS.map((channel) => {
            const group = options.filter((option) => option.channel === channel);
            if (group.length === 0) return null;
            return (
              <fieldset key={channel}>
                <legend className="mb-2 text-sm font-semibold text-slate-900">{t(`channelGroup.${channel}`)}</legend>
                <ul className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
                  {group.map((option) => (
                    <li key={option.key}>
                      <button
                        type="button"
                        disabled={!option.isAvailable}
                        onClick={() => setSelectedKey(option.key)}
                        aria-describedby={option.isAvailable ? undefined : `${idPrefix}-soon`}
                        data-package={option.packageId}
                        className="flex w-full items-center gap-3 rounded-lg border border-slate-200 bg-white p-3 text-left hover:border-brand-300 hover:bg-brand-50/40 focus-visible:ring-2 focus-visible:ring-brand-500 focus-visible:outline-none disabled:cursor-not-allowed disabled:bg-slate-50 disabled:hover:border-slate-200"
                      >
                        <PackageInitials initials={option.packageInitials} muted={!option.isAvailable} />
                        <span className="min-w-0 flex-1">
                          <span
                            className={`block truncate text-sm font-medium ${option.isAvailable ? "text-slate-900" : "text-slate-500"}`}
                          >
                            {option.packageName}
                          </span>
                          <span className="block text-xs text-slate-500">{tChannels(option.channel)}</span>
                        </span>
                        {option.isAvailable ? (
                          <span className="text-sm font-medium text-brand-700">{t("choose")}</span>
                        ) : (
                          <span className="shrink-0 rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-600 ring-1 ring-slate-500/20 ring-inset">
                            {t("comingSoon")}
                          </span>
                        )}
                      </button>
                    </li>
                  ))}
                </ul>
              </fieldset>
            );
          })}
          {options.some((option) => !option.isAvailable) ? (
            <p id={`${idPrefix}-soon`} className="-mt-3 text-xs text-slate-500">
              {t("comingSoonHelp")}
            </p>
          ) : null}
          <p className="rounded-md bg-slate-50 p-3 text-sm text-slate-600 ring-1 ring-slate-200 ring-inset">
            {t("emailNote")}
          </p>
        </div>
      )}
    </section>
  );
}
