import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

// `*.pg.test.ts` files prove things only real PostgreSQL can (the Neon driver, races between
// connections). They run when TEST_DATABASE_URL is set (`.ci/run` does) and are left out otherwise,
// so a plain `npm test` has no skipped tests.
const hasPostgres = Boolean(process.env.TEST_DATABASE_URL);

export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL("./", import.meta.url)),
      "server-only": fileURLToPath(new URL("./tests/helpers/empty.ts", import.meta.url)),
    },
  },
  test: {
    environment: "node",
    include: ["tests/**/*.test.ts"],
    exclude: [...configDefaults.exclude, ...(hasPostgres ? [] : ["tests/**/*.pg.test.ts"])],
    globalSetup: ["./tests/helpers/global-setup.ts"],
    // Integration tests share one PostgreSQL database when TEST_DATABASE_URL is set.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default", "./tests/summary-reporter.ts"],
  },
});
