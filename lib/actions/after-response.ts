import "server-only";
import { after } from "next/server";

/**
 * Runs `task` once the response is sent (next/server `after`), so the user never waits for it.
 * Outside a request (a test calling a route handler directly, a script) there is no response to
 * wait for and `after` refuses: the task then starts at once, unawaited. Its failure is logged,
 * never thrown, either way.
 */
export function runAfterResponse(name: string, task: () => Promise<unknown>): void {
  const guarded = () =>
    task().then(
      () => undefined,
      (error: unknown) => console.error(`[after-response] ${name} failed`, error),
    );
  try {
    after(guarded);
  } catch {
    void guarded();
  }
}
