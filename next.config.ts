import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";

const withNextIntl = createNextIntlPlugin("./lib/i18n/request.ts");

const nextConfig: NextConfig = {
  // PGlite loads its WASM through import.meta.url; bundling it breaks every query. ssh2 (the FTP
  // connector's SFTP mode) requires its optional native binding in a try/catch, which bundlers
  // cannot follow; from node_modules it loads as it does under Node. pdfkit (the rendering of a
  // UBL e-invoice, lib/ubl/render-pdf.ts) reads its standard fonts' .afm files from its own folder
  // at run time, which a bundle does not carry.
  serverExternalPackages: ["@electric-sql/pglite", "ssh2", "pdfkit"],
  poweredByHeader: false,
  // The API reference's files are read from disk at run time (lib/api/reference/assets.ts), which
  // the output tracing cannot see: name them, so a standalone build carries them.
  outputFileTracingIncludes: {
    "/docs/api/assets/[file]": [
      "./node_modules/swagger-ui-dist/swagger-ui.css",
      "./node_modules/swagger-ui-dist/swagger-ui-bundle.js",
      "./lib/api/reference/init.js",
    ],
  },
  // Lets several dev servers share one checkout (each with its own KOPPEL_DATA_DIR).
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
};

export default withNextIntl(nextConfig);
