/**
 * The screenshots of Koppel's own screens an article may show (`![…](help:<name>)`), taken in each
 * language by e2e/help-screenshots.spec.ts into public/help/<lang>/<name>.png and committed.
 * `phone-*` are taken at 390 × 844, the others at 1280 × 800.
 */
export const HELP_SCREENSHOTS = [
  "integrations-page",
  "connection-form-ftp",
  "connection-form-api",
  "connection-form-email",
  "dossier-integration-tab",
  "documents-inbox",
  "document-page",
  "failure-queue",
  "members-invite",
  "phone-dossier",
  "phone-share",
] as const;
export type HelpScreenshot = (typeof HELP_SCREENSHOTS)[number];

export function isHelpScreenshot(name: string): name is HelpScreenshot {
  return (HELP_SCREENSHOTS as readonly string[]).includes(name);
}
