import localFont from "next/font/local";

/**
 * Geist Sans, the `geist` package's variable font cut to the Latin characters (31 KB instead of
 * 69 KB; scripts/fonts/subset-geist.sh makes it, GEIST-OFL.txt is its licence), and without the
 * preload geist/font/sans adds: a font preloaded with high priority competes with the page's own
 * HTML, stylesheet and scripts on a phone network. The text paints at once in the size-matched
 * fallback (font-display: swap, adjustFontFallback) and takes Geist when it arrives.
 */
export const geistSans = localFont({
  src: "./geist-sans-latin.woff2",
  variable: "--font-geist-sans",
  weight: "100 900",
  display: "swap",
  preload: false,
});
