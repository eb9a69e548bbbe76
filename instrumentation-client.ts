import { config } from "zod";

// Runs in the browser before the app's code. Zod compiles object parsers with `new Function`
// unless told not to, and first probes whether it may: under the pages' Content-Security-Policy
// (no 'unsafe-eval', lib/security/headers.ts) that probe is a reported violation on every page
// that parses a form. In the browser zod interprets instead; the server keeps the compiled parsers.
config({ jitless: true });
