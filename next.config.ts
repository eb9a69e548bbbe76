import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";

const withNextIntl = createNextIntlPlugin("./lib/i18n/request.ts");

const nextConfig: NextConfig = {
  // PGlite loads its WASM through import.meta.url; bundling it breaks every query.
  serverExternalPackages: ["@electric-sql/pglite"],
  poweredByHeader: false,
  // Lets several dev servers share one checkout (each with its own KOPPEL_DATA_DIR).
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
};

export default withNextIntl(nextConfig);
