/** The crash test's provider hook: inert unless its variable is set. */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { HOLD_AFTER_CREATE_ENV, holdAfterCreate } from "../../provider/resources/test-hooks";

describe("holdAfterCreate", () => {
  it("returns the create result unchanged when the variable is not set", async () => {
    const result = { id: "6b0f99cfc34fd7f731000002", outs: {} };
    await expect(holdAfterCreate(result, {})).resolves.toBe(result);
  });

  it("when set: writes <dir>/<id> and never hands the result back", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "hold-"));
    try {
      let settled = false;
      void holdAfterCreate({ id: "6b0f99cfc34fd7f731000002" }, { [HOLD_AFTER_CREATE_ENV]: dir }).then(() => (settled = true));
      await new Promise((r) => setImmediate(r));
      expect(existsSync(path.join(dir, "6b0f99cfc34fd7f731000002"))).toBe(true);
      expect(settled).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
