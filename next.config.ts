import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";
import {
  HSTS_FORWARDED_PROTO_PATTERN,
  NO_REFERRER_SOURCES,
  SECURITY_HEADERS,
  STRICT_TRANSPORT_SECURITY,
} from "./lib/security/headers";

const withNextIntl = createNextIntlPlugin("./lib/i18n/request.ts");

const nextConfig: NextConfig = {
  // PGlite loads its WASM through import.meta.url; bundling it breaks every query. ssh2 (the FTP
  // connector's SFTP mode) requires its optional native binding in a try/catch, which bundlers
  // cannot follow; from node_modules it loads as it does under Node. pdfkit (the rendering of a
  // UBL e-invoice, lib/ubl/render-pdf.ts) reads its standard fonts' .afm files from its own folder
  // at run time, which a bundle does not carry. The S3 upload helper stays beside the S3 client
  // (external by Next's default) so both use one copy of the SDK.
  serverExternalPackages: ["@electric-sql/pglite", "ssh2", "pdfkit", "@aws-sdk/lib-storage", "pg-boss"],
  poweredByHeader: false,
  // The API reference's files are read from disk at run time (lib/api/reference/assets.ts), which
  // the output tracing cannot see: name them, so a standalone build carries them.
  outputFileTracingIncludes: {
    "/docs/api/assets/[file]": [
      "./node_modules/swagger-ui-dist/swagger-ui.css",
      "./node_modules/swagger-ui-dist/swagger-ui-bundle.js",
      "./lib/api/reference/init.js",
    ],
    // The help's articles and developer pages are read from disk (lib/help/content.ts).
    "/help": ["./docs/help/**/*.md"],
    "/help/[slug]": ["./docs/help/**/*.md"],
    "/help/developers": ["./docs/help/**/*.md"],
    "/help/developers/[id]": ["./docs/integrations/*.md"],
  },
  // Every response, API answers and static files included (proxy.ts adds the pages' CSP). These
  // replace a header of the same name that a route sets itself; hence the no-referrer rules.
  async headers() {
    return [
      { source: "/:path*", headers: [...SECURITY_HEADERS] },
      ...NO_REFERRER_SOURCES.map((source) => ({
        source,
        headers: [{ key: "Referrer-Policy", value: "no-referrer" }],
      })),
      {
        source: "/:path*",
        has: [{ type: "header", key: "x-forwarded-proto", value: HSTS_FORWARDED_PROTO_PATTERN }],
        headers: [{ key: "Strict-Transport-Security", value: STRICT_TRANSPORT_SECURITY }],
      },
    ];
  },
  // Lets several dev servers share one checkout (each with its own KOPPEL_DATA_DIR).
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
};

export default withNextIntl(nextConfig);
