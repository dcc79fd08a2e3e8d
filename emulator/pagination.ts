/**
 * Pagination and envelope (CONTRACT.md §9). `pageNum` (default 1), `itemsPerPage` (default 100,
 * over-max coerced to 500 per IPA-110), `includeCount` (default true). Links are absolute:
 * `self` always, `next` only when another page exists, `previous` when pageNum > 1 (old MMS
 * spelling; IPA says `prev` — not observed on the wire, §14).
 */
import { errors } from "./errors";

/** A `Link` object. */
export interface Link { href: string; rel: string }

/** Parsed paging parameters. */
export interface PageParams { pageNum: number; itemsPerPage: number; includeCount: boolean }

const MAX_ITEMS = 500;

function parseBool(name: string, v: string | null, dflt: boolean): boolean {
  if (v === null || v === "") return dflt;
  if (v.toLowerCase() === "true") return true;
  if (v.toLowerCase() === "false") return false;
  throw errors.invalidQueryParameter(name, v);
}

function parseIntParam(name: string, v: string | null, dflt: number): number {
  if (v === null || v === "") return dflt;
  if (!/^-?\d+$/.test(v)) throw errors.invalidQueryParameter(name, v);
  const n = Number(v);
  if (n < 0) throw errors.invalidQueryParameter(name, v);
  return n === 0 ? dflt : n; // 0 → default (IPA-110)
}

/** Read a boolean query flag (`envelope`, `pretty`). */
export function queryFlag(q: URLSearchParams, name: string): boolean {
  return parseBool(name, q.get(name), false);
}

/** Parse paging query params. */
export function pageParams(q: URLSearchParams): PageParams {
  return {
    pageNum: parseIntParam("pageNum", q.get("pageNum"), 1),
    itemsPerPage: Math.min(MAX_ITEMS, parseIntParam("itemsPerPage", q.get("itemsPerPage"), 100)),
    includeCount: parseBool("includeCount", q.get("includeCount"), true),
  };
}

/**
 * Build a paginated body `{links, results, totalCount?}` with absolute hrefs like the recordings:
 * self `?includeCount=…&pageNum=…&itemsPerPage=…`, next `?includeCount=…&itemsPerPage=…&pageNum=…`.
 */
export function paginate<T, R>(items: T[], q: URLSearchParams, absolutePath: string, render: (t: T) => R) {
  const p = pageParams(q);
  const start = (p.pageNum - 1) * p.itemsPerPage;
  const page = items.slice(start, start + p.itemsPerPage);
  const ic = String(p.includeCount);
  const links: Link[] = [{ href: `${absolutePath}?includeCount=${ic}&pageNum=${p.pageNum}&itemsPerPage=${p.itemsPerPage}`, rel: "self" }];
  if (p.pageNum > 1) links.push({ href: `${absolutePath}?includeCount=${ic}&itemsPerPage=${p.itemsPerPage}&pageNum=${p.pageNum - 1}`, rel: "previous" });
  if (start + p.itemsPerPage < items.length) links.push({ href: `${absolutePath}?includeCount=${ic}&itemsPerPage=${p.itemsPerPage}&pageNum=${p.pageNum + 1}`, rel: "next" });
  const body: { links: Link[]; results: R[]; totalCount?: number } = { links, results: page.map(render) };
  if (p.includeCount) body.totalCount = items.length;
  return body;
}
