/**
 * The parts of an exported Pulumi deployment (`pulumi stack export`, deployment version 3) that
 * `pulumi-atlas-export recover` reads and writes. Everything else in the file is kept verbatim.
 */

/** A resource in `deployment.resources` (or the `resource` of a pending operation). */
export interface StateResource {
  urn: string;
  type: string;
  custom?: boolean;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  parent?: string;
  provider?: string;
  dependencies?: string[];
  /** RFC 3339, set by the engine when the resource was created (CLI ≥ 3.9x). */
  created?: string;
  /** RFC 3339, set by the engine when the resource was last created or updated. */
  modified?: string;
  [key: string]: unknown;
}

/** `deployment.pending_operations[]`: an operation the engine started but never saw finish. */
export interface PendingOperation {
  /** "creating", "updating", "deleting", "reading", "importing" */
  type: string;
  resource: StateResource;
  [key: string]: unknown;
}

/** `deployment` of an exported stack. */
export interface Deployment {
  manifest?: { time?: string; [key: string]: unknown };
  resources?: StateResource[];
  pending_operations?: PendingOperation[];
  [key: string]: unknown;
}

/** The whole `pulumi stack export` document. */
export interface ExportedStack {
  version: number;
  deployment: Deployment;
  [key: string]: unknown;
}

/** The signature key/value Pulumi uses to mark a secret value in a deployment. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** True if `value` holds a secret anywhere (exported without `--show-secrets`: ciphertext). */
export function containsSecret(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsSecret);
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (o[SECRET_SIG_KEY] === SECRET_SIG) return true;
    return Object.values(o).some(containsSecret);
  }
  return false;
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` → stack and project. */
export function stackOfUrn(urn: string): { stack: string; project: string } | undefined {
  const m = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn);
  return m ? { stack: m[1] as string, project: m[2] as string } : undefined;
}

/** The resource's name (last URN segment), for messages. */
export function nameOfUrn(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}
