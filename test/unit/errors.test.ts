import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  AtlasApiError,
  AtlasConfigError,
  AtlasError,
  AtlasNetworkError,
  AtlasResponseValidationError,
  AtlasTimeoutError,
  isAtlasApiError,
  isAtlasError,
  isAtlasErrorCode,
  mayHaveBeenProcessed,
  redact,
  REDACTED,
} from "../../provider/errors";

const apiInit = { status: 409, method: "POST", path: "/api/atlas/v2/groups/g/backup/exportBuckets", errorCode: "X", detail: "d" };

describe("error hierarchy", () => {
  it("has stable codes, names and self-contained messages", () => {
    const e = new AtlasApiError(apiInit);
    expect(e).toBeInstanceOf(AtlasError);
    expect(e).toBeInstanceOf(AtlasApiError);
    expect(e).not.toBeInstanceOf(AtlasNetworkError);
    expect(e.code).toBe("ATLAS_API_ERROR");
    expect(e.name).toBe("AtlasApiError");
    expect(e.message).toBe("POST /api/atlas/v2/groups/g/backup/exportBuckets → 409 X: d");
    expect(new AtlasApiError({ ...apiInit, hint: "check the key" }).message).toContain("(check the key)");
    expect(new AtlasApiError({ status: 500, method: "GET", path: "/p" }).errorCode).toBe("UNKNOWN");
    expect(new AtlasConfigError("x").code).toBe("ATLAS_CONFIG_ERROR");
    expect(new AtlasTimeoutError({ method: "GET", path: "/p", timeoutMs: 5, requestMayHaveBeenProcessed: false }).message).toContain("5 ms");
    expect(new AtlasResponseValidationError({ method: "GET", path: "/p", status: 200, issues: ["_id: bad"] }).message).toContain("_id: bad");
  });

  it("recognises errors from another copy of the module by brand", () => {
    const foreign = Object.create(Object.prototype) as Record<PropertyKey, unknown>;
    foreign[Symbol.for("pulumi-atlas-export.error")] = "ATLAS_API_ERROR";
    foreign.status = 404;
    foreign.errorCode = "EXPORT_BUCKET_NOT_FOUND";
    expect(isAtlasError(foreign)).toBe(true);
    expect(foreign instanceof AtlasApiError).toBe(true);
    expect(isAtlasApiError(foreign, 404)).toBe(true);
    expect(isAtlasErrorCode(foreign, "EXPORT_BUCKET_NOT_FOUND")).toBe(true);
    expect(isAtlasError(new Error("x"))).toBe(false);
  });

  it("mayHaveBeenProcessed covers transport errors and POST 5xx API errors", () => {
    expect(mayHaveBeenProcessed(new AtlasNetworkError({ method: "POST", path: "/p", detail: "reset", requestMayHaveBeenProcessed: true }))).toBe(true);
    expect(mayHaveBeenProcessed(new AtlasNetworkError({ method: "POST", path: "/p", detail: "refused", requestMayHaveBeenProcessed: false }))).toBe(false);
    expect(mayHaveBeenProcessed(new AtlasApiError({ ...apiInit, status: 503, requestMayHaveBeenProcessed: true }))).toBe(true);
    expect(mayHaveBeenProcessed(new AtlasApiError(apiInit))).toBe(false);
    expect(mayHaveBeenProcessed(new Error("x"))).toBe(false);
  });

  it("keeps the cause, and serialises without losing the Atlas fields", () => {
    const cause = new Error("low level");
    const e = new AtlasApiError(apiInit, { cause });
    expect(e.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ status: 409, errorCode: "X", method: "POST", code: "ATLAS_API_ERROR" });
    expect(inspect(e)).toContain("409");
  });
});

describe("redact", () => {
  it("replaces every occurrence of every secret and ignores tiny ones", () => {
    expect(redact("a s3cret b s3cret tok123", ["s3cret", "tok123", "ab", undefined])).toBe(`a ${REDACTED} b ${REDACTED} ${REDACTED}`);
    expect(redact("nothing here", [])).toBe("nothing here");
  });
});
