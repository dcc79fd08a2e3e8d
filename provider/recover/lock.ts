/**
 * Is an update of the stack in progress? `recover` must not touch the state while one runs: the
 * engine would overwrite the import with its next checkpoint. Detected three ways:
 * - a `file://` backend keeps one lock file per running update under
 *   `.pulumi/locks/organization/<project>/<stack>/` (`.pulumi/locks/<stack>/` in the legacy layout);
 * - Pulumi Cloud lists the running update in the stack's history with result `in-progress`;
 * - other DIY backends (s3://, gs://, azblob://) cannot be listed from here, but `pulumi stack
 *   import` itself takes the lock and refuses while one is held ({@link isLockError}).
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { HistoryEntry } from "./plan";

/** A lock file of a `file://` backend (the CLI writes pid, user, host and time into it). */
export interface LockInfo {
  file: string;
  pid?: number;
  username?: string;
  hostname?: string;
  timestamp?: string;
}

/** The local directory of a `file://` backend URL (`file://~` is the home directory), else undefined. */
export function fileBackendDir(url: string | undefined): string | undefined {
  if (!url || !url.startsWith("file://")) return undefined;
  const rest = url.slice("file://".length);
  if (rest === "~" || rest.startsWith("~/")) return path.join(os.homedir(), rest.slice(1));
  try {
    return fileURLToPath(url);
  } catch {
    return rest;
  }
}

function filesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const p = path.join(dir, n);
    try {
      return statSync(p).isDirectory() ? filesUnder(p) : [p];
    } catch {
      return [];
    }
  });
}

/** Lock files of `<project>/<stack>` in a `file://` backend directory. */
export function fileBackendLocks(backendDir: string, project: string, stack: string): LockInfo[] {
  const roots = [
    path.join(backendDir, ".pulumi", "locks", "organization", project, stack),
    path.join(backendDir, ".pulumi", "locks", stack),
  ];
  return roots.flatMap((root) =>
    filesUnder(root)
      .filter((f) => f.endsWith(".json"))
      .map((file) => {
        try {
          const c = JSON.parse(readFileSync(file, "utf8")) as Partial<LockInfo>;
          return { file, pid: c.pid, username: c.username, hostname: c.hostname, timestamp: c.timestamp };
        } catch {
          return { file };
        }
      }),
  );
}

/** True when the newest history entry is an update still running (Pulumi Cloud records those). */
export function historyShowsRunningUpdate(history: readonly HistoryEntry[]): boolean {
  const newest = history[0];
  return newest !== undefined && /in[-_ ]?progress|running/i.test(newest.result ?? "");
}

/** True for the CLI's "stack is locked / update in progress" refusals. */
export function isLockError(message: string): boolean {
  return /currently locked|another update is currently in progress|conflict: .*update|update .*in progress/i.test(message);
}

/** What to tell the user when the stack is locked. */
export function lockAdvice(stackName: string | undefined, locks: readonly LockInfo[], cloud: boolean): string {
  const held = locks
    .map((l) => `  ${l.file}${l.pid ? `: pulumi pid ${l.pid}` : ""}${l.username ? ` (${l.username}@${l.hostname ?? "?"})` : ""}${l.timestamp ? ` since ${l.timestamp}` : ""}`)
    .join("\n");
  return [
    `The stack${stackName ? ` ${stackName}` : ""} has an update in progress (${cloud ? "Pulumi Cloud reports a running update" : `${locks.length || "a"} lock${locks.length === 1 ? "" : "s"}`}); recover changes nothing while it runs.`,
    ...(held ? [held] : []),
    `If that "pulumi" process is really gone (killed, CI runner lost): make sure no process of it is left, including the`,
    `engine's provider process ("pgrep -af dynamic-provider"; stop it by its pid: it may still be creating something),`,
    `then clear the lock with "pulumi cancel${stackName ? ` --stack ${stackName}` : ""}" (Pulumi Cloud cancels the update; a DIY`,
    `backend such as file:// or s3:// deletes its lock files) and run recover again.`,
  ].join("\n");
}
