/**
 * Cheaper resource registration in the program process.
 *
 * While a resource registers, `@pulumi/pulumi` wraps every registered property in five
 * "debuggable" promises, and each one captures `new Error().stack` (runtime/debuggable.js),
 * kept only for the promise-leak report printed when `PULUMI_DEBUG_PROMISE_LEAKS` is set. Under
 * the language host that stack is formatted at once by ts-node's source-map-support, which
 * clones and source-maps every frame: about 0.1 ms per promise, so ~7 ms per ExportBucket or
 * ExportJob (13-15 registered properties, every output must be one: pulumi #2931) against
 * ~2 ms for a resource with three properties. Measured in the program's CPU profile
 * (`npm run bench -- --cpu-prof`): that capture was the whole of the program's extra cost.
 *
 * So the constructors register with `Error.stackTraceLimit` at 0 and restore it right after:
 * synchronously, so no other code runs in between. The resource's source position is not
 * affected (`Resource.callsites` sets its own unlimited limit), nor are errors raised later
 * (the registration's asynchronous part runs after the limit is restored). An error thrown
 * synchronously by the SDK during registration would carry its message without frames; it is
 * rethrown with the frames of the constructor call. With `PULUMI_DEBUG_PROMISE_LEAKS` set the
 * limit is left alone, so the leak report keeps its stacks.
 */

/**
 * Lowers `Error.stackTraceLimit` for a synchronous registration; returns the function that
 * restores it. Call it as `const restore = quietStacks(); try { super(...) } finally { restore() }`.
 */
export function quietStacks(): () => void {
  if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) return () => {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  return () => {
    Error.stackTraceLimit = limit;
  };
}

/**
 * An error thrown while the limit was 0 has no frames; give it the frames of the place that
 * is rethrowing it (the resource constructor, in the user's program), after the restore.
 */
export function withFrames(err: unknown): unknown {
  if (err instanceof Error && typeof err.stack === "string" && !err.stack.includes("\n    at ")) {
    const holder: { stack?: string } = {};
    Error.captureStackTrace(holder, withFrames);
    const frames = (holder.stack ?? "").split("\n").slice(1).join("\n");
    if (frames) err.stack = `${err.stack}\n${frames}`;
  }
  return err;
}
