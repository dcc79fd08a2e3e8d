/**
 * The one unhandled rejection the e2e suite tolerates: an artifact of Automation API inline
 * programs, which all run in the test's process. When an engine exits after a failed check, a
 * call its program still had in flight (the SDK's `setRootResource`, from `Stack.initialize`)
 * fails later with gRPC "14 UNAVAILABLE: No connection established" and nothing awaits it. The
 * real CLI runs each program in its own process, where this cannot happen. Matched narrowly:
 * that gRPC status, that text, that SDK call.
 */
export function isStrayMonitorRejection(reason: unknown): boolean {
  if (reason === null || typeof reason !== "object") return false;
  const r = reason as { code?: unknown; message?: unknown; stack?: unknown };
  return (
    r.code === 14 &&
    typeof r.message === "string" &&
    r.message.startsWith("14 UNAVAILABLE: No connection established") &&
    typeof r.stack === "string" &&
    r.stack.includes("setRootResource")
  );
}
