import localFont from "next/font/local";

/**
 * Geist Sans, the `geist` package's variable font cut to the Latin characters (31 KB instead of
 * 69 KB; scripts/fonts/subset-geist.sh makes it, GEIST-OFL.txt is its licence).
 *
 * Preloaded, with font-display: optional: the browser waits for it at most about 100 ms before the
 * first paint and otherwise keeps the fallback for that page, never swapping fonts under the text.
 * With `swap` the late font moved the sign-in page's vertically centred column (a layout shift of
 * 0.16): its fallback's metrics are Arial's, and Linux and Android phones have no Arial.
 */
export const geistSans = localFont({
  src: "./geist-sans-latin.woff2",
  variable: "--font-geist-sans",
  weight: "100 900",
  display: "optional",
});
