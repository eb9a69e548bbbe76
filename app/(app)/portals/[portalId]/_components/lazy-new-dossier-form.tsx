"use client";

import dynamic from "next/dynamic";

/**
 * The new-dossier form shows only with ?new=1: loaded this way, its code is fetched when it is
 * rendered, not with every overview (a client component a page imports directly is in the page's
 * JavaScript whether it renders or not; next/dynamic in a server component does not change that).
 */
export const LazyNewDossierForm = dynamic(() => import("./new-dossier-form").then((m) => m.NewDossierForm));
