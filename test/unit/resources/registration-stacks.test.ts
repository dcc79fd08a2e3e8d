/**
 * The resource constructors register with V8's stack capture off (registration-stacks.ts):
 * the SDK's debuggable promises then capture no frames, the limit is restored after the
 * constructor, and an error thrown during registration still carries frames.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { AutoExport, ExportBucket, ExportJob } from "../../../provider";
import { quietStacks, withFrames } from "../../../provider/resources/registration-stacks";

const PROJECT = "6a0000000000000000000001";

beforeAll(() => {
  pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs }, "p", "s", false);
});

afterEach(() => {
  delete process.env["PULUMI_DEBUG_PROMISE_LEAKS"];
});

/**
 * Stack traces formatted while `construct` runs, as the number of frames of each (V8 calls
 * Error.prepareStackTrace when the SDK reads `new Error().stack`).
 */
function framesFormatted(construct: () => void): number[] {
  const original = Error.prepareStackTrace;
  const counts: number[] = [];
  Error.prepareStackTrace = (err, frames) => {
    counts.push(frames.length);
    return original ? original(err, frames) : `${String(err)}${frames.map((f) => `\n    at ${String(f)}`).join("")}`;
  };
  try {
    construct();
  } finally {
    Error.prepareStackTrace = original;
  }
  return counts;
}

const bucketArgs = { projectId: PROJECT, cloudProvider: "GCP", bucketName: "gcs-b", roleId: "6a00000000000000000000b3" } as const;

describe("registration stacks", () => {
  it("the constructors' promises capture no frames (only the source position does), and the limit is restored", () => {
    const limit = Error.stackTraceLimit;
    const bucket = new ExportBucket("b0", bucketArgs);
    for (const construct of [
      () => new ExportBucket("b", bucketArgs),
      () => new ExportJob("j", { projectId: PROJECT, clusterName: "Cluster0", snapshotId: "6a00000000000000000000d1", exportBucketId: bucket.exportBucketId }),
      () => new AutoExport("a", { projectId: PROJECT, clusterName: "Cluster0", exportBucketId: bucket.exportBucketId, frequencyType: "monthly" }),
    ]) {
      const counts = framesFormatted(construct);
      // Every registered property's promises read a stack (5 each); all but the SDK's own
      // source-position capture (Resource.callsites, unlimited) are empty.
      expect(counts.length).toBeGreaterThan(10);
      expect(counts.filter((n) => n > 0)).toHaveLength(1);
      expect(Error.stackTraceLimit).toBe(limit);
    }
  });

  it("with PULUMI_DEBUG_PROMISE_LEAKS set, the promises keep their stacks (the leak report needs them)", () => {
    process.env["PULUMI_DEBUG_PROMISE_LEAKS"] = "true";
    const counts = framesFormatted(() => new ExportBucket("b2", bucketArgs));
    expect(counts.filter((n) => n > 0).length).toBeGreaterThan(10);
  });

  it("an error thrown during registration restores the limit and carries the constructor call's frames", () => {
    const limit = Error.stackTraceLimit;
    let caught: unknown;
    try {
      // No name: the SDK's Resource constructor throws synchronously.
      new ExportBucket("", bucketArgs);
    } catch (err) {
      caught = err;
    }
    expect(Error.stackTraceLimit).toBe(limit);
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).message).toMatch(/name/i);
    expect((caught as Error).stack).toContain("\n    at ");
    expect((caught as Error).stack).toContain("registration-stacks.test");
  });

  it("quietStacks sets the limit to 0 until restored; withFrames leaves an error with frames alone", () => {
    const limit = Error.stackTraceLimit;
    const restore = quietStacks();
    expect(Error.stackTraceLimit).toBe(0);
    const bare = new Error("bare");
    restore();
    expect(Error.stackTraceLimit).toBe(limit);
    expect(bare.stack).toBe("Error: bare");
    expect(String((withFrames(bare) as Error).stack)).toContain("\n    at ");
    const full = new Error("full");
    const before = full.stack;
    expect((withFrames(full) as Error).stack).toBe(before);
    expect(withFrames("not an error")).toBe("not an error");
  });
});
