import type { MetadataRoute } from "next";
import { BRAND_COLOR, PAGE_BACKGROUND_COLOR } from "@/lib/brand";
import nlCommon from "@/lib/i18n/messages/nl/common.json";
import { SHARE_ACCEPT, SHARE_ACTION, SHARE_FILE_FIELD } from "@/lib/share/target";

/**
 * The web app manifest (served at /manifest.webmanifest, public like its icons): "Add to home
 * screen" installs Koppel with its own icon, and the installed app is offered in the phone's share
 * sheet for the files an upload takes, which it posts to the share route. Static, so it is built
 * once; in Dutch, the app's default language (the name is the same in every language).
 */
export default function manifest(): MetadataRoute.Manifest {
  return {
    id: "/",
    name: "Koppel",
    short_name: "Koppel",
    description: nlCommon.tagline,
    lang: "nl",
    start_url: "/",
    scope: "/",
    display: "standalone",
    theme_color: BRAND_COLOR,
    background_color: PAGE_BACKGROUND_COLOR,
    icons: [
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icons/icon-maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
    share_target: {
      action: SHARE_ACTION,
      method: "POST",
      enctype: "multipart/form-data",
      params: { files: [{ name: SHARE_FILE_FIELD, accept: [...SHARE_ACCEPT] }] },
    },
  };
}
