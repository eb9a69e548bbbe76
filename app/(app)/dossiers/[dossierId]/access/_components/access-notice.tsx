"use client";

import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from "react";

const AnnounceContext = createContext<(message: string) => void>(() => {});

/**
 * Says what a button below did after its row is gone: removing someone or revoking an invitation
 * refreshes the lists without that row (and its button), so the confirmation lives here, above
 * them, and takes the focus so keyboard and screen-reader users keep their place.
 */
export function AccessNoticeProvider({ children }: { children: ReactNode }) {
  const [notice, setNotice] = useState<{ message: string; round: number } | null>(null);
  const ref = useRef<HTMLParagraphElement>(null);
  const announce = useCallback(
    (message: string) => setNotice((current) => ({ message, round: (current?.round ?? 0) + 1 })),
    [],
  );
  const round = notice?.round ?? 0;
  useEffect(() => {
    if (round > 0) ref.current?.focus();
  }, [round]);

  return (
    <AnnounceContext value={announce}>
      <div role="status" className="empty:hidden">
        {notice ? (
          <p
            ref={ref}
            tabIndex={-1}
            className="rounded-md bg-emerald-50 p-3 text-sm text-emerald-900 ring-1 ring-emerald-600/20 ring-inset focus:outline-none"
          >
            {notice.message}
          </p>
        ) : null}
      </div>
      {children}
    </AnnounceContext>
  );
}

export function useAnnounce(): (message: string) => void {
  return useContext(AnnounceContext);
}
