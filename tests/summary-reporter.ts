import type { Reporter, SerializedError, TestModule } from "vitest/node";

/**
 * Prints one "vitest: N passed, N failed, N skipped" line that CI reads, and the test files that
 * failed without a failed test (an import that throws, a broken mock): they hold no tests to count,
 * so the line alone would look green; and the errors thrown outside any test (an uncaught exception
 * or an unhandled rejection), which fail the run with every test passed.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const brokenFiles: string[] = [];
    for (const testModule of testModules) {
      let hasFailedTest = false;
      for (const test of testModule.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") counts.passed++;
        else if (state === "failed") {
          counts.failed++;
          hasFailedTest = true;
        } else counts.skipped++;
      }
      if (testModule.state() === "failed" && !hasFailedTest) brokenFiles.push(testModule.moduleId);
    }
    const broken = brokenFiles.length > 0 ? `, ${brokenFiles.length} files failed to run` : "";
    const unhandled = unhandledErrors.length > 0 ? `, ${unhandledErrors.length} errors outside tests` : "";
    console.log(
      `vitest: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${broken}${unhandled}`,
    );
    for (const file of brokenFiles) console.log(`vitest: failed to run ${file}`);
  }
}
