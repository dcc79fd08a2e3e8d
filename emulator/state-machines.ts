/**
 * Time-based state machines (CONTRACT.md §5.2, §6, §12.9). Nothing runs in the background: the
 * state of a snapshot or export job is computed from its creation time on every read, so there
 * are no timers to leak. `timeScale` multiplies the durations: 1 = demo speed (a job finishes in
 * ~7 s), 0 = instant (a POST still answers `Queued`/`queued`, the first GET shows the end state).
 */

/** Snapshot phases at timeScale 1 (ms after the request): queued → inProgress → completed. */
export const SNAPSHOT_TIMINGS = { inProgressAt: 1_000, completedAt: 4_000 } as const;
/** Export-job phases at timeScale 1: Queued → InProgress → terminal (5–10 s window asked for). */
export const EXPORT_TIMINGS = { inProgressAt: 2_000, finishedAt: 7_000 } as const;

/** Snapshot status values (camelCase, §12.9). */
export type SnapshotStatus = "queued" | "inProgress" | "completed" | "failed";
/** Export job states (PascalCase, §12.9). */
export type ExportState = "Queued" | "InProgress" | "Successful" | "Failed" | "Cancelled";
/** Terminal outcome decided when the job is created (default Successful, or forced by a test). */
export interface ExportOutcome {
  state: "Successful" | "Failed" | "Cancelled";
  /** message for `stateReason` when Failed */
  reason?: string;
  /** errorCode for `stateReason` when Failed (default `EXPORT_FAILED`) */
  errorCode?: string;
}

/** Status of a snapshot requested at `requestedAt` (ms), read at `now`. */
export function snapshotStatus(requestedAt: number, now: number, timeScale: number): SnapshotStatus {
  const t = now - requestedAt;
  if (t >= SNAPSHOT_TIMINGS.completedAt * timeScale) return "completed";
  if (t >= SNAPSHOT_TIMINGS.inProgressAt * timeScale) return "inProgress";
  return "queued";
}

/** When a snapshot reaches `completed` (ms epoch). */
export function snapshotCompletedAt(requestedAt: number, timeScale: number): number {
  return requestedAt + SNAPSHOT_TIMINGS.completedAt * timeScale;
}

/** Computed view of an export job at `now`. */
export interface ExportJobView {
  state: ExportState;
  exportedCollections: number;
  finishedAt?: number;
}

/** State of an export job created at `createdAt` with a pre-decided `outcome`. */
export function exportJobState(
  createdAt: number,
  now: number,
  timeScale: number,
  outcome: ExportOutcome,
  totalCollections: number,
): ExportJobView {
  const t = now - createdAt;
  const start = EXPORT_TIMINGS.inProgressAt * timeScale;
  const end = EXPORT_TIMINGS.finishedAt * timeScale;
  if (t >= end) {
    const finishedAt = createdAt + end;
    if (outcome.state === "Successful") return { state: "Successful", exportedCollections: totalCollections, finishedAt };
    // A failed/cancelled job stops half way: progress counters stay partial.
    return { state: outcome.state, exportedCollections: Math.floor(totalCollections / 2), finishedAt };
  }
  if (t >= start) {
    const frac = end > start ? (t - start) / (end - start) : 1;
    return { state: "InProgress", exportedCollections: Math.min(totalCollections, Math.floor(frac * totalCollections)) };
  }
  return { state: "Queued", exportedCollections: 0 };
}

/** True while a job is not terminal (used for the one-running-export-per-snapshot rule). */
export function isRunning(state: ExportState): boolean {
  return state === "Queued" || state === "InProgress";
}

/** GCP service accounts are created IN_PROGRESS and become COMPLETE after this (timeScale 1). */
export const GCP_ROLE_COMPLETE_AFTER = 3_000;
