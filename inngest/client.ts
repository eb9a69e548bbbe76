import { Inngest } from "inngest";

/**
 * The one Inngest client. It reads INNGEST_EVENT_KEY, INNGEST_SIGNING_KEY, INNGEST_DEV and
 * INNGEST_BASE_URL itself; lib/env.ts validates them and lib/jobs/driver.ts decides whether
 * Inngest is used at all.
 */
export const inngest = new Inngest({ id: "koppel" });
