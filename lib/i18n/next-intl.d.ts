import type { Locale } from "./config";
import type { Messages } from "./messages";

// Translation keys are checked at compile time against the Dutch messages; a unit test checks
// that French and English have exactly the same keys.
declare module "next-intl" {
  interface AppConfig {
    Locale: Locale;
    Messages: Messages;
  }
}
