import { getFormatter, getTranslations } from "next-intl/server";
import type { listUnreachable } from "@/lib/dispatch/breaker";

export type UnreachableLane = Awaited<ReturnType<typeof listUnreachable>>[number];

/**
 * "Expert/M FTP unreachable since 10:02: its deliveries wait and go by themselves when it answers
 * (next check 10:15)" — one line per open breaker (lib/dispatch/breaker.ts): a connection of the
 * office, or the mail service. On the connection card (one lane) and atop the failure queue (all).
 */
export async function UnreachableNotice({ lanes }: { lanes: readonly UnreachableLane[] }) {
  if (lanes.length === 0) return null;
  const t = await getTranslations("connections.unreachable");
  const format = await getFormatter();
  const now = new Date();
  const time = (date: Date) =>
    date.toDateString() === now.toDateString()
      ? format.dateTime(date, { timeStyle: "short" })
      : format.dateTime(date, { dateStyle: "short", timeStyle: "short" });
  return (
    <ul className="flex flex-col gap-2" data-testid="unreachable-notice">
      {lanes.map((lane) => (
        <li
          key={lane.key}
          className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-950 ring-1 ring-amber-600/20 ring-inset"
        >
          {t("line", {
            name: lane.connectionId ? (lane.label ?? "") : t("mailService"),
            since: time(lane.since),
          })}{" "}
          {lane.nextProbeAt && lane.nextProbeAt > now ? (
            <span className="text-amber-900">{t("nextCheck", { next: time(lane.nextProbeAt) })}</span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
