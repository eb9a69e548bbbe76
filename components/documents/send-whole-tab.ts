import type { SendableTab } from "@/lib/dispatch/schemas";
import type { DocumentActionHandlers } from "./types";

type SendAllCall = NonNullable<DocumentActionHandlers["sendAll"]>;

/** What a whole "send all in this tab" came to, over all its calls. */
export type SendWholeTabTotals = {
  queued: number;
  /** Documents not sent, counted per reason, most first. */
  refused: { reason: string; count: number }[];
  /** A later call failed as a whole: what is counted went out, the rest did not. */
  isInterrupted: boolean;
};

/**
 * "Send all in this tab" to its end: the server stops after its time budget with a position to go
 * on from (a tab of tens of thousands goes out over a few calls, each in batches of at most 1,000
 * on the server), so this calls again from there and adds the answers up. A first call that fails
 * is the answer (its message key under "errors"); a later one marks the totals interrupted.
 * The dossier's list and the offer after saving an integration both send through it.
 */
export async function sendWholeTab(
  sendAll: SendAllCall,
  input: { dossierId: string; tab: SendableTab },
): Promise<{ ok: true; totals: SendWholeTabTotals } | { ok: false; messageKey: string }> {
  const totals: SendWholeTabTotals = { queued: 0, refused: [], isInterrupted: false };
  const refused = new Map<string, number>();
  let after: string | undefined;
  for (;;) {
    let failure: string | null = null;
    try {
      const result = await sendAll({ ...input, after });
      if (result.ok) {
        totals.queued += result.queued;
        for (const entry of result.refused) refused.set(entry.reason, (refused.get(entry.reason) ?? 0) + entry.count);
        totals.refused = [...refused].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
        if (!result.nextCursor) return { ok: true, totals };
        after = result.nextCursor;
        continue;
      }
      failure = result.error.messageKey;
    } catch {
      failure = "generic";
    }
    if (totals.queued === 0 && totals.refused.length === 0) return { ok: false, messageKey: failure };
    return { ok: true, totals: { ...totals, isInterrupted: true } };
  }
}
