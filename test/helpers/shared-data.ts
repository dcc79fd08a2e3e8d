/**
 * The conformance tests read `../shared/atlas-api` (the official spec subset and real Atlas
 * recordings), which sits beside the repository in development and in CI but is not part of it.
 */
import { it } from "vitest";

/**
 * Registers what a conformance file does when its reference data is missing: in CI
 * (`CI=true`) a failing test, because a CI run that silently checks nothing is a false green;
 * elsewhere one skipped test whose name says what was not checked. Registers nothing when the
 * data is there, so a normal run shows no skipped tests.
 */
export function whenSharedDataMissing(present: boolean, what: string): void {
  if (present) return;
  if (process.env["CI"] === "true") {
    it(`${what} is required in CI`, () => {
      throw new Error(`${what} is missing: CI must run with ../shared beside the repository`);
    });
  } else {
    it.skip(`not checked: ${what} is not available`, () => {});
  }
}
