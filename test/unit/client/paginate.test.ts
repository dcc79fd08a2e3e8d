import { afterEach, describe, expect, it } from "vitest";
import { AtlasConfigError } from "../../../provider/errors";
import { nextPageNumber, paginate } from "../../../provider/client/paginate";
import { apiCalls, atlasJson, closeHarnesses, collect, GROUP, harness, interceptToken } from "./helpers";

const PATH = `/api/atlas/v2/groups/${GROUP}/backup/exportBuckets`;
const bucket = (n: number) => ({ _id: n.toString(16).padStart(24, "0"), bucketName: `b${n}`, cloudProvider: "AWS", iamRoleId: "6a00000000000000000000b1" });
const link = (rel: string, pageNum: number, host = "https://cloud.mongodb.com") => ({
  href: `${host}${PATH}?includeCount=true&itemsPerPage=2&pageNum=${pageNum}`,
  rel,
});

afterEach(closeHarnesses);

describe("nextPageNumber", () => {
  it("follows rel next, using its pageNum", () => {
    expect(nextPageNumber({ results: [1], links: [link("self", 1), link("next", 2)] }, 1, 2)).toBe(2);
    expect(nextPageNumber({ results: [1], links: [{ href: "weird", rel: "next" }] }, 1, 2)).toBe(2);
  });
  it("stops without a next link or with an empty page", () => {
    expect(nextPageNumber({ results: [1], links: [link("self", 1)], totalCount: 999 }, 1, 2)).toBeUndefined();
    expect(nextPageNumber({ results: [], links: [link("next", 2)] }, 1, 2)).toBeUndefined();
  });
  it("falls back to totalCount when there are no links", () => {
    expect(nextPageNumber({ results: [1, 2], totalCount: 5 }, 2, 2)).toBe(3);
    expect(nextPageNumber({ results: [1], totalCount: 5 }, 3, 2)).toBeUndefined();
  });
});

describe("paginated list over HTTP", () => {
  it("walks every page via links rel next, with itemsPerPage and includeCount, always against the base URL", async () => {
    const h = harness();
    interceptToken(h.pool);
    const pages = [
      { links: [link("self", 1), link("next", 2, "https://elsewhere.example")], results: [bucket(1), bucket(2)], totalCount: 5 },
      { links: [link("self", 2), link("next", 3)], results: [bucket(3), bucket(4)], totalCount: 5 },
      { links: [link("self", 3), link("prev", 2)], results: [bucket(5)], totalCount: 5 },
    ];
    for (const [i, body] of pages.entries()) {
      h.pool
        .intercept({ path: PATH, method: "GET", query: { includeCount: "true", itemsPerPage: "2", pageNum: String(i + 1) } })
        .reply(200, JSON.stringify(body), { headers: atlasJson("2024-05-30") });
    }
    const all = await collect(h.client.listExportBuckets(GROUP, { itemsPerPage: 2 }));
    expect(all.map((b) => b.bucketName)).toEqual(["b1", "b2", "b3", "b4", "b5"]);
    expect(apiCalls(h.agent)).toHaveLength(3);
  });

  it("defaults to 500 items per page", async () => {
    const h = harness();
    interceptToken(h.pool);
    h.pool
      .intercept({ path: PATH, method: "GET", query: { includeCount: "true", itemsPerPage: "500", pageNum: "1" } })
      .reply(200, JSON.stringify({ links: [], results: [bucket(1)], totalCount: 1 }), { headers: atlasJson("2024-05-30") });
    expect(await collect(h.client.listExportBuckets(GROUP))).toHaveLength(1);
  });

  it("fetches lazily: breaking out after the first item requests one page", async () => {
    const h = harness();
    interceptToken(h.pool);
    h.pool
      .intercept({ path: (p) => p.startsWith(PATH), method: "GET" })
      .reply(200, JSON.stringify({ links: [link("next", 2)], results: [bucket(1), bucket(2)] }), { headers: atlasJson("2024-05-30") });
    for await (const b of h.client.listExportBuckets(GROUP, { itemsPerPage: 2 })) {
      expect(b.bucketName).toBe("b1");
      break;
    }
    expect(apiCalls(h.agent)).toHaveLength(1);
  });

  it("rejects itemsPerPage outside 1..500 with AtlasConfigError", () => {
    const h = harness();
    expect(() => h.client.listExportBuckets(GROUP, { itemsPerPage: 501 })).toThrow(AtlasConfigError);
    expect(() => paginate(async () => ({ results: [] }), { itemsPerPage: 0 })).toThrow(AtlasConfigError);
  });
});
