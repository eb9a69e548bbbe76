// Runs in the browser before the app's code, on every page. Zod compiles object parsers with
// `new Function` unless told not to, and first probes whether it may: under the pages'
// Content-Security-Policy (no 'unsafe-eval', lib/security/headers.ts) that probe is a reported
// violation on every page that builds a form's schema. In the browser zod interprets instead; the
// server keeps the compiled parsers.
//
// Zod keeps its configuration on globalThis.__zod_globalConfig (the one object every copy of zod
// shares, adopted when zod loads): set there rather than through zod's config(), so that pages
// whose client code has no zod do not load zod for this (tests/unit/instrumentation-client.test.ts).
const zodHolder = globalThis as { __zod_globalConfig?: Record<string, unknown> };
zodHolder.__zod_globalConfig = Object.assign(zodHolder.__zod_globalConfig ?? {}, { jitless: true });

// A module (for the unit test that imports it), not a global script.
export {};
