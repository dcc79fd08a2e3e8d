import { defineConfig } from "vitest/config";
import { isStrayMonitorRejection } from "./test/helpers/stray-rejection";

// Four projects: fast pure tests, the emulator over real HTTP, conformance against the official
// spec and recordings in ../shared (skipped with a notice when absent), and end-to-end tests
// through the real Pulumi engine. Two workers (vitest's default on 2 cores is one): an e2e file
// is a chain of single-threaded processes (CLI, provider, program, emulator) that keeps about one
// core busy, so two files at a time use both. Every e2e file has its own emulators, stacks and
// backends (port 0, mkdtemp dirs), so files share nothing but the built dist/.
export default defineConfig({
  test: {
    maxWorkers: 2,
    // Exactly one unhandled rejection is not a failure: the inline-program artifact described in
    // test/helpers/stray-rejection.ts (the test that met it repeats its run). Everything else is.
    onUnhandledError(error) {
      if (!isStrayMonitorRejection(error)) return;
      console.warn(`[vitest] ignored a stray gRPC "14 UNAVAILABLE" from an earlier inline program's setRootResource (test/helpers/stray-rejection.ts)`);
      return false;
    },
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "emulator",
          include: ["test/emulator/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "conformance",
          include: ["test/conformance/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          pool: "forks",
          // Independent stacks marked `describe.concurrent` (secret-scan's credential cases, each
          // with its own emulator and stack) run two at a time: the CLI, the provider process and
          // the inline program of one overlap the waits of the other. Sequential lifecycles stay
          // sequential (plain describe).
          maxConcurrency: 2,
          testTimeout: 900_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
