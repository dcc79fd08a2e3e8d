/**
 * Walks every page of an Atlas list endpoint. The next page exists when the body has a `links`
 * entry with rel `next` (its `pageNum` is used, but never its host: the request is always built
 * against the configured base URL so credentials cannot be sent elsewhere). Bodies without
 * `links` fall back to `totalCount`.
 */
import { AtlasConfigError } from "../errors";
import type { Page } from "../schemas/common";

/** Atlas's maximum (and our default) page size. */
export const MAX_ITEMS_PER_PAGE = 500;
/** Stops a server that always says "next" from looping forever. */
export const MAX_PAGES = 10_000;

/** The query of one page request. */
export interface PageQuery {
  pageNum: number;
  itemsPerPage: number;
  includeCount: true;
}

/**
 * Checks a requested page size.
 * @throws AtlasConfigError unless it is an integer from 1 to 500.
 */
export function checkItemsPerPage(itemsPerPage: number | undefined): number {
  const n = itemsPerPage ?? MAX_ITEMS_PER_PAGE;
  if (!Number.isInteger(n) || n < 1 || n > MAX_ITEMS_PER_PAGE) {
    throw new AtlasConfigError(`itemsPerPage must be an integer from 1 to ${MAX_ITEMS_PER_PAGE}`);
  }
  return n;
}

/**
 * The page number to fetch after `page` (number `current`), or undefined when it was the last.
 * Never throws.
 */
export function nextPageNumber(page: Page<unknown>, current: number, itemsPerPage: number): number | undefined {
  if (page.results.length === 0) return undefined;
  if (page.links !== undefined) {
    const next = page.links.find((l) => l.rel === "next");
    if (!next) return undefined;
    const fromHref = pageNumFromHref(next.href);
    return fromHref !== undefined && fromHref > current ? fromHref : current + 1;
  }
  if (page.totalCount !== undefined) return current * itemsPerPage < page.totalCount ? current + 1 : undefined;
  return page.results.length >= itemsPerPage ? current + 1 : undefined;
}

function pageNumFromHref(href: string): number | undefined {
  try {
    const raw = new URL(href, "http://placeholder.invalid").searchParams.get("pageNum");
    const n = raw === null ? NaN : Number(raw);
    return Number.isInteger(n) && n >= 1 ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An async iterable over every item of every page. Pages are fetched lazily, one at a time, as
 * the consumer iterates; breaking out of the loop stops fetching.
 *
 * @throws AtlasConfigError immediately when `itemsPerPage` is out of range; iteration rethrows
 *   whatever `fetchPage` throws (AtlasError).
 */
export function paginate<T>(
  fetchPage: (query: PageQuery) => Promise<Page<T>>,
  options: { itemsPerPage?: number | undefined } = {},
): AsyncIterable<T> {
  const itemsPerPage = checkItemsPerPage(options.itemsPerPage);
  return {
    async *[Symbol.asyncIterator]() {
      let pageNum: number | undefined = 1;
      for (let pages = 0; pageNum !== undefined && pages < MAX_PAGES; pages++) {
        const page: Page<T> = await fetchPage({ pageNum, itemsPerPage, includeCount: true });
        yield* page.results;
        pageNum = nextPageNumber(page, pageNum, itemsPerPage);
      }
    },
  };
}

/** Collects an async iterable into an array (convenience for callers and tests). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
