import type { Locale } from "@/lib/i18n/config";
import { translatorFor } from "@/lib/i18n/translator";
import { escapeHtml } from "@/lib/text/html";

const ASSETS_PATH = "/docs/api/assets";
export const OPENAPI_DOCUMENT_PATH = "/api/v1/openapi.json";

/**
 * The HTML of the API reference: Swagger UI rendering /api/v1/openapi.json, every script and
 * style a file of ours (no inline code, so the page's CSP needs no 'unsafe-inline'). The
 * reference itself is English, like the OpenAPI document; the page's own words follow the reader.
 */
export function referencePageHtml(locale: Locale): string {
  const t = translatorFor(locale);
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(t("common.apiReference.title"))}</title>
<link rel="stylesheet" href="${ASSETS_PATH}/swagger-ui.css">
</head>
<body>
<noscript><p>${escapeHtml(t("common.apiReference.noscript", { path: OPENAPI_DOCUMENT_PATH }))}</p></noscript>
<main id="swagger-ui" data-spec-url="${OPENAPI_DOCUMENT_PATH}" aria-label="${escapeHtml(t("common.apiReference.title"))}"></main>
<script src="${ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="${ASSETS_PATH}/init.js"></script>
</body>
</html>
`;
}
