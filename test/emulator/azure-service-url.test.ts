/**
 * The emulator enforces the same Azure serviceUrl/bucketName rules as the provider's preview
 * check (one implementation, provider/schemas/azure-service-url.ts), answering Atlas-style 400s.
 * Same table as the unit test of `check`.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { AZURE_URL_CASES } from "../fixtures/schemas/azure-urls";
import { GROUP, V2, useEmulator } from "../helpers/emulator";

const { emu, api } = useEmulator();
const BUCKETS = `${V2}/groups/${GROUP}/backup/exportBuckets`;
const AZURE_ROLE = "6a00000000000000000000b2";

beforeEach(() => emu().reset());

describe("POST exportBuckets (AZURE): serviceUrl and bucketName rules", () => {
  it.each(AZURE_URL_CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const body: Record<string, unknown> = { cloudProvider: "AZURE", roleId: AZURE_ROLE, serviceUrl: c.serviceUrl };
    if (c.bucketName !== undefined) body["bucketName"] = c.bucketName;
    const r = await api.post(BUCKETS, "2024-05-30", body);
    if (c.reject === undefined) {
      expect(r.status, r.text).toBe(200);
      expect(r.json).toMatchObject({ cloudProvider: "AZURE", bucketName: c.bucketNameAfter, serviceUrl: c.serviceUrl });
      return;
    }
    expect(r.status, r.text).toBe(400);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(r.json.parameters).toEqual([c.reject.property]);
    expect(["INVALID_ATTRIBUTE", "MISSING_ATTRIBUTE"]).toContain(r.json.errorCode);
    expect(r.headers.get("x-error-code")).toBe(r.json.errorCode);
    if (r.json.errorCode === "INVALID_ATTRIBUTE") expect(r.json.detail).toContain(c.reject.rule);
    expect(emu().store.listBuckets(GROUP).filter((b) => b.cloudProvider === "AZURE")).toHaveLength(0);
  });
});
