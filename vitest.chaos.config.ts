import { defineConfig } from "vitest/config"

/** `npm run test:chaos`: crash, partition, hostile-input and abuse trials (sizes from LANVAULT_CHAOS_SCALE). */
export default defineConfig({
  test: {
    include: ["test/chaos/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
  },
})
