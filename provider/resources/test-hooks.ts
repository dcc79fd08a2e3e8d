/**
 * Test-only hooks of the provider runtime, inert unless their environment variable is set (it is
 * never set by the package, the examples or the docs' procedures).
 *
 * `PULUMI_ATLAS_EXPORT_TEST_HOLD_AFTER_CREATE=<dir>`: after a create handler has Atlas's answer
 * and before it returns it to the engine, write `<dir>/<resource id>` and never return. The crash
 * test (`test/e2e/crash.e2e.test.ts`) waits for that file and kills the engine: the object exists
 * in Atlas but the engine never checkpointed it, deterministically.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";

/** The environment variable of {@link holdAfterCreate}. */
export const HOLD_AFTER_CREATE_ENV = "PULUMI_ATLAS_EXPORT_TEST_HOLD_AFTER_CREATE";

/** Returns `result` unchanged, unless the test hook is set (then it never returns; see the module comment). */
export async function holdAfterCreate<T extends { id: string }>(result: T, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const dir = env[HOLD_AFTER_CREATE_ENV];
  if (!dir) return result;
  writeFileSync(path.join(dir, result.id), "");
  return new Promise<T>(() => {
    // never settles: the test kills this process
  });
}
