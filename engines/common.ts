/**
 * Helpers shared by the engine definitions: the memory budget of a flavor, the container-side
 * locations of an instance, quoting for shell and file contents. Pure.
 */
import { EngineInstance, FlavorSize, TaskFile } from "./engine";

/** Nomad's task directories, as the docker driver mounts them in every container. */
export const NOMAD_LOCAL_DIR = "/local";
export const NOMAD_SECRETS_DIR = "/secrets";

/** The locations an instance's tasks use, defaults filled in. */
export interface Placement {
    readonly socketDir: string;
    readonly imageSocketDir: string;
    readonly localDir: string;
    readonly secretsDir: string;
    readonly listenAddress: string;
    readonly port: number;
}

/** The instance's placement, with the engine's defaults. */
export function placementOf(inst: EngineInstance, defaults: { socketDir: string; port: number; listenAddress: string }): Placement {
    const p = inst.paths ?? {};
    return {
        socketDir: p.socketDir ?? defaults.socketDir,
        imageSocketDir: p.imageSocketDir ?? defaults.socketDir,
        localDir: p.localDir ?? NOMAD_LOCAL_DIR,
        secretsDir: p.secretsDir ?? NOMAD_SECRETS_DIR,
        listenAddress: p.listenAddress ?? defaults.listenAddress,
        port: p.port ?? defaults.port,
    };
}

/** Container path of a task file (`local/x` → `<localDir>/x`, `secrets/x` → `<secretsDir>/x`). */
export function containerPath(place: Placement, destination: string): string {
    if (destination.startsWith("local/")) return `${place.localDir}/${destination.slice("local/".length)}`;
    if (destination.startsWith("secrets/")) return `${place.secretsDir}/${destination.slice("secrets/".length)}`;
    throw new Error(`a task file lives under local/ or secrets/, not ${destination}`);
}

/**
 * What a database node keeps for itself, MB: the OS, corosync and Pacemaker, dockerd, the Nomad
 * and Consul agents (the Nomad client's `reserved` memory), and one batch task (configure, sql,
 * a backup) beside the engine: jobs/resources.ts's BATCH_MEMORY_MB (a test checks it). Docker
 * enforces the service task's `memoryMb` as a hard limit, so the settings are sized from it.
 * Nomad's client `reserved` memory on the database nodes should be NODE_RESERVED_MB.
 */
export const NODE_RESERVED_MB = 768;
export const BATCH_TASK_MB = 256;

/**
 * The memory the engine may use on a node of this flavor, in MB: the flavor's RAM less what the
 * node keeps, at least 256 MB. On a 1 GB flavor the engine gets 256 MB, on 4 GB 3 GB, on 24 GB
 * 23 GB. This is the Nomad task's memory and what the settings are sized from.
 */
export function engineMemoryMb(size: FlavorSize): number {
    return Math.max(256, size.ramMb - NODE_RESERVED_MB - BATCH_TASK_MB);
}

/**
 * Connections the engine accepts for a memory budget: one per 10 MB (an idle PostgreSQL backend
 * or MariaDB thread costs a few MB; a busy one its sort/work memory on top), at least 50 so that
 * an application's pool and an operator fit on the smallest flavor, at most 500: beyond that,
 * put a connection pooler in front (hundreds of active sessions on a handful of vCPUs thrash).
 */
export function maxConnectionsFor(memoryMb: number): number {
    return Math.min(500, Math.max(50, Math.floor(memoryMb / 10)));
}

/** Rounds down to a multiple of `step` (at least `step`). */
export function floorTo(value: number, step: number): number {
    return Math.max(step, Math.floor(value / step) * step);
}

/** Clamps a number into [lo, hi]. */
export function clamp(value: number, lo: number, hi: number): number {
    return Math.min(hi, Math.max(lo, value));
}

/** A size in MB as an engine setting: "512MB", "2GB" when a whole number of GB. */
export function mb(value: number): string {
    const v = Math.round(value);
    return v % 1024 === 0 ? `${v / 1024}GB` : `${v}MB`;
}

import { shellQuote } from "../common/shell";

export { shellQuote };

/**
 * Checks a plain task file before it is handed out: Nomad renders every file as a Go template,
 * so `{{` in a plain file would be executed (or fail the template). Throws: a generator bug.
 */
export function plainFile(destination: string, content: string, extra: { perms?: string; uid?: number; gid?: number } = {}): TaskFile {
    if (content.includes("{{")) throw new Error(`${destination}: a plain task file must not contain "{{" (Nomad renders it as a template)`);
    if (!destination.startsWith("local/")) throw new Error(`${destination}: plain task files go under local/`);
    return { destination, content, ...extra };
}

/** A file holding one item of the job's Nomad Variable. */
export function secretFile(destination: string, secret: string, extra: { perms?: string; uid?: number; gid?: number } = {}): TaskFile {
    if (!destination.startsWith("secrets/")) throw new Error(`${destination}: secret task files go under secrets/`);
    return { destination, secret, perms: extra.perms ?? "0400", ...(extra.uid === undefined ? {} : { uid: extra.uid }), ...(extra.gid === undefined ? {} : { gid: extra.gid }) };
}

/** The Variable item of a user's password. */
export function userPasswordItem(user: string): string {
    return `user_${user}_password`;
}

/** The user names the tasks accept, for both engines: lowercase, digits, '_', starting with a letter, ≤ 32. */
export const USER_NAME = /^[a-z][a-z0-9_]{0,31}$/;
/** The schema names both engines accept: lowercase, digits, '_', starting with a letter, ≤ 48. */
export const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,47}$/;

/** The shared part of the user-name check. */
export function checkName(kind: "user" | "schema", name: string, database: string, reserved: readonly string[], reservedPrefixes: readonly string[]): string | undefined {
    const pattern = kind === "user" ? USER_NAME : SCHEMA_NAME;
    const max = kind === "user" ? 32 : 48;
    if (!pattern.test(name)) return `a ${kind} name is lowercase letters, digits and '_', starting with a letter, at most ${max} characters`;
    if (name === database) return `a ${kind} cannot be named like the database (${database}): that name is the owner's`;
    if (reserved.includes(name) || reservedPrefixes.some((p) => name.startsWith(p))) {
        return `${name} is reserved by the engine (${[...reserved, ...reservedPrefixes.map((p) => `${p}*`)].join(", ")})`;
    }
    return undefined;
}

/** The longest clean shutdown the sizing gives any engine (see the engines' settings). */
export const MAX_STOP_SECONDS = 600;

/**
 * A script that runs the health check script until it passes, every 2 s, for at most
 * `$1` seconds (default 600): the wait before the configure job.
 */
export function waitScript(healthScriptPath: string, engineTitle: string): string {
    return `#!/bin/bash
# Waits until ${engineTitle} passes its health check (the engine task's own), for at most $1 seconds
# (default 600). The configure job's prestart task; generated by cloud-dbaas.
set -uo pipefail
deadline=$((SECONDS + \${1:-600}))
until bash ${shellQuote(healthScriptPath)} >/dev/null 2>&1; do
  if [ "$SECONDS" -ge "$deadline" ]; then echo "${engineTitle} is not ready after \${1:-600} s" >&2; exit 1; fi
  sleep 2
done
echo "${engineTitle} is ready"
`;
}
