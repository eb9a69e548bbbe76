import { describeEnvProblems, parseEnv } from "./env-schema";
import { assertJobDriverConfig } from "./jobs/driver";

/**
 * Stops a starting server whose environment is invalid, naming each variable and what is wrong
 * (instrumentation.ts, Node.js runtime only). Kept out of instrumentation.ts itself: Next.js
 * compiles that file for the Edge runtime too, and `next dev` warns about process.exit there even
 * though the runtime check makes it unreachable.
 */
export function exitOnInvalidEnvironment(): void {
  const parsed = parseEnv(process.env);
  if (!parsed.ok) {
    console.error(`[koppel] ${describeEnvProblems(parsed.problems)}. Fix the environment and start again.`);
    process.exit(1);
  }
  try {
    // A job driver that cannot work (JOB_DRIVER=postgres without a PostgreSQL, Inngest without keys).
    assertJobDriverConfig(parsed.env);
  } catch (error) {
    console.error(
      `[koppel] ${error instanceof Error ? error.message : String(error)}. Fix the environment and start again.`,
    );
    process.exit(1);
  }
}
