import { configDefaults, defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The chaos trials run with `npm run test:chaos` (vitest.chaos.config.ts), not with `npm test`.
    exclude: [...configDefaults.exclude, "test/chaos/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
})
