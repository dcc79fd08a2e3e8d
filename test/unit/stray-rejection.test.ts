/** The e2e suite's one tolerated unhandled rejection is matched narrowly (test/helpers/stray-rejection.ts). */
import { describe, expect, it } from "vitest";
import { isStrayMonitorRejection } from "../helpers/stray-rejection";

const stray = () =>
  Object.assign(new Error("14 UNAVAILABLE: No connection established. Last error: null. Resolution note: "), {
    code: 14,
    stack: "Error: 14 UNAVAILABLE: No connection established.\n    at ServiceClientImpl.setRootResource (make-client.js:105:19)",
  });

describe("isStrayMonitorRejection", () => {
  it("matches the gRPC UNAVAILABLE of the SDK's setRootResource", () => {
    expect(isStrayMonitorRejection(stray())).toBe(true);
  });

  it("does not match anything else", () => {
    expect(isStrayMonitorRejection(Object.assign(stray(), { code: 2 }))).toBe(false);
    expect(isStrayMonitorRejection(Object.assign(stray(), { stack: "Error: 14 UNAVAILABLE: No connection established\n    at registerResource" }))).toBe(false);
    expect(isStrayMonitorRejection(Object.assign(stray(), { message: "14 UNAVAILABLE: Connection dropped" }))).toBe(false);
    expect(isStrayMonitorRejection(new Error("boom"))).toBe(false);
    expect(isStrayMonitorRejection("14 UNAVAILABLE: No connection established")).toBe(false);
    expect(isStrayMonitorRejection(undefined)).toBe(false);
  });
});
