import { describe, expect, it } from "vitest";
import { CREATED_AFTER_TOLERANCE_MS, objectIdTimeMs, pickCreated } from "../../../provider/resources/created-lookup";

/** An ObjectId-shaped id created at `sec` (epoch seconds) with a distinguishing tail. */
const oid = (sec: number, tail: number) => sec.toString(16).padStart(8, "0") + tail.toString(16).padStart(16, "0");
const sent = 1_790_000_000_000; // ms, a whole second
const sec = sent / 1000;
interface B { _id: string; name: string }
const lookup = (name = "b") => ({
  sentAtMs: sent,
  idOf: (b: B) => b._id,
  sameIdentity: (b: B) => b.name === name,
});

describe("objectIdTimeMs", () => {
  it("reads the creation second of an ObjectId and rejects other strings", () => {
    expect(objectIdTimeMs(oid(sec, 1))).toBe(sent);
    expect(objectIdTimeMs("not-an-id")).toBeNaN();
    expect(objectIdTimeMs(undefined)).toBeNaN();
  });
});

describe("pickCreated", () => {
  it("finds the one identical object created after the request was sent", () => {
    const ours = { _id: oid(sec + 1, 2), name: "b" };
    const r = pickCreated([{ _id: oid(sec + 1, 1), name: "other" }, ours], lookup());
    expect(r).toEqual({ kind: "found", item: ours });
  });

  it("finds nothing when no object has the identity", () => {
    expect(pickCreated([{ _id: oid(sec + 5, 1), name: "other" }], lookup())).toEqual({ kind: "none" });
    expect(pickCreated([], lookup())).toEqual({ kind: "none" });
  });

  it("never takes an older twin: it is reported as ambiguous, not adopted and not ignored", () => {
    const twin = { _id: oid(sec - 3600, 1), name: "b" };
    const r = pickCreated([twin], lookup());
    expect(r.kind).toBe("ambiguous");
    expect(r.kind === "ambiguous" && r.ids).toEqual([twin._id]);
  });

  it("prefers the object created after the request over an older twin", () => {
    const twin = { _id: oid(sec - 3600, 1), name: "b" };
    const ours = { _id: oid(sec, 9), name: "b" };
    expect(pickCreated([twin, ours], lookup())).toEqual({ kind: "found", item: ours });
  });

  it("two new identical objects are ambiguous and both ids are named", () => {
    const a = { _id: oid(sec + 1, 1), name: "b" };
    const b = { _id: oid(sec + 2, 2), name: "b" };
    const r = pickCreated([a, b], lookup());
    expect(r).toMatchObject({ kind: "ambiguous", ids: [a._id, b._id] });
  });

  it("tolerates ObjectId second truncation and a little clock lag, but no more", () => {
    const edge = { _id: oid(sec - CREATED_AFTER_TOLERANCE_MS / 1000, 1), name: "b" };
    expect(pickCreated([edge], lookup()).kind).toBe("found");
    const older = { _id: oid(sec - CREATED_AFTER_TOLERANCE_MS / 1000 - 1, 1), name: "b" };
    expect(pickCreated([older], lookup()).kind).toBe("ambiguous");
  });

  it("skips excluded ids (objects other resources already manage)", () => {
    const managed = { _id: oid(sec + 1, 1), name: "b" };
    const ours = { _id: oid(sec + 1, 2), name: "b" };
    expect(pickCreated([managed, ours], { ...lookup(), exclude: new Set([managed._id]) })).toEqual({ kind: "found", item: ours });
  });

  it("uses createdAtMs when given (export jobs carry createdAt)", () => {
    const job = { _id: "x", name: "b", createdAt: sent + 500 };
    const r = pickCreated([job], { ...lookup(), createdAtMs: (j: typeof job) => j.createdAt });
    expect(r).toEqual({ kind: "found", item: job });
  });
});
