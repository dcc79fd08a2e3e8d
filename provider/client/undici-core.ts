/**
 * The two parts of undici the client uses (`Agent`, `request`), loaded without undici's index.
 *
 * `require("undici")` loads ~200 modules (fetch, WebSocket, EventSource, caches, mocks, proxy
 * agents...): 105-135 ms of CPU on 2 cores, in every dynamic-provider process, since every
 * `pulumi up`, `refresh` and `destroy` starts a new one. `Agent` and the request API alone are
 * 25 modules and ~20 ms (bench/README.md, "Provider process"). They are undici's own files,
 * loaded by path: undici has no `exports` map, and its index builds `request` from exactly these
 * (`makeDispatcher(api.request)`). If a future undici moves them, the index is loaded instead,
 * so the layout can only change the cost, never the behaviour (test/unit/client/undici-core.test.ts).
 */
import type * as Undici from "undici";
import { withBaselineWasm } from "./wasm-baseline";

/** Options of one request; the client always names its dispatcher. */
export type CoreRequestOptions = Omit<Undici.Dispatcher.RequestOptions, "origin" | "path"> & { dispatcher: Undici.Dispatcher };

/** What the client needs from undici. */
export interface UndiciCore {
  /** undici's `Agent` class. */
  readonly Agent: typeof Undici.Agent;
  /** Same as `undici.request(url, options)` (the first ones keep the parser on baseline code: wasm-baseline.ts). */
  request(url: URL, options: CoreRequestOptions): Promise<Undici.Dispatcher.ResponseData>;
  /** How it was loaded: `"parts"` (Agent and request API files) or `"index"` (the fallback). */
  readonly loadedFrom: "parts" | "index";
}

type RequestApi = (this: Undici.Dispatcher, opts: Undici.Dispatcher.RequestOptions) => Promise<Undici.Dispatcher.ResponseData>;

let core: UndiciCore | undefined;

/** undici's Agent and request, loaded on first use (see the module comment). */
export function undiciCore(): UndiciCore {
  return (core ??= loadCore(require));
}

/**
 * @internal Loads the parts through `load` (tests pass a failing one to exercise the fallback).
 */
export function loadCore(load: (id: string) => unknown): UndiciCore {
  let parts: { Agent: unknown; requestApi: unknown } | undefined;
  try {
    parts = { Agent: load("undici/lib/dispatcher/agent"), requestApi: load("undici/lib/api/api-request") };
  } catch {
    parts = undefined;
  }
  if (parts && typeof parts.Agent === "function" && typeof parts.requestApi === "function") {
    const Agent = parts.Agent as typeof Undici.Agent;
    const requestApi = parts.requestApi as RequestApi;
    return {
      Agent,
      // What undici's `request(url, { dispatcher, ...opts })` does for an absolute URL.
      request: (url, { dispatcher, ...opts }) =>
        withBaselineWasm(() =>
          requestApi.call(dispatcher, { ...opts, origin: url.origin, path: url.search ? `${url.pathname}${url.search}` : url.pathname }),
        ),
      loadedFrom: "parts",
    };
  }
  const undici = load("undici") as typeof Undici;
  return { Agent: undici.Agent, request: (url, opts) => withBaselineWasm(() => undici.request(url, opts)), loadedFrom: "index" };
}
