/**
 * The brand's colours where CSS cannot reach: the web app manifest and the theme-color meta tag.
 * They repeat app/globals.css, which stays the source for the pages themselves.
 */

/** --color-brand-600: the browser's bar and the installed app's title bar. */
export const BRAND_COLOR = "#1f57b8";

/** The body's bg-slate-50: the installed app's splash screen matches its first page. */
export const PAGE_BACKGROUND_COLOR = "#f8fafc";
