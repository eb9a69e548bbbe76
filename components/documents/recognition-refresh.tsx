"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** While documents are being recognised, the page looks again this often for their reports. */
const LOOK_AGAIN_MS = 30_000;

/**
 * While a listed document is "being recognised", re-renders the page (router.refresh keeps the
 * selection and the upload answers): every 30 s, so a type the recognition step reports shows up,
 * and when the first such document's 15 minutes are over, so it asks for a type instead. The server
 * says how long that is (`msUntilChange`, from its own clock at render time) and decides again on
 * each render: the browser's clock plays no part.
 */
export function RecognitionRefresh({ msUntilChange }: { msUntilChange: number | null }) {
  const router = useRouter();
  useEffect(() => {
    if (msUntilChange === null) return;
    let timer: ReturnType<typeof setTimeout>;
    const lookAgain = (delay: number) => {
      timer = setTimeout(() => {
        router.refresh();
        // A new render brings a new msUntilChange (and a new effect); until it lands, keep looking.
        lookAgain(LOOK_AGAIN_MS);
      }, delay);
    };
    // A second past the boundary, so the server's render falls on the other side of it.
    lookAgain(Math.min(Math.max(msUntilChange, 0) + 1_000, LOOK_AGAIN_MS));
    return () => clearTimeout(timer);
  }, [msUntilChange, router]);
  return null;
}
