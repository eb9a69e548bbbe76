import { describeEnvProblems, parseEnv } from "./env-schema";

/**
 * Stops a starting server whose environment is invalid, naming each variable and what is wrong
 * (instrumentation.ts, Node.js runtime only). Kept out of instrumentation.ts itself: Next.js
 * compiles that file for the Edge runtime too, and `next dev` warns about process.exit there even
 * though the runtime check makes it unreachable.
 */
export function exitOnInvalidEnvironment(): void {
  const parsed = parseEnv(process.env);
  if (parsed.ok) return;
  console.error(`[koppel] ${describeEnvProblems(parsed.problems)}. Fix the environment and start again.`);
  process.exit(1);
}
