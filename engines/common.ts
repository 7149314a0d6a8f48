/**
 * Helpers shared by the engine definitions: the memory budget of a flavor, the container-side
 * locations of an instance, quoting for shell and file contents. Pure.
 */
import { shellQuote } from "../common/shell";
import { EngineInstance, FlavorSize, InstancePaths, SecretItem, TaskFile, TaskSpec, VolumeMountSpec } from "./engine";

export { shellQuote };

/** Nomad's task directories, as the docker driver mounts them in every container. */
export const NOMAD_LOCAL_DIR = "/local";
export const NOMAD_SECRETS_DIR = "/secrets";

/** The locations an instance's tasks use, defaults filled in. */
export type Placement = Required<InstancePaths>;

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
 * and Consul agents. It is the Nomad client's `reserved` memory (render/agents/client.ts).
 */
export const NODE_RESERVED_MB = 768;

/**
 * The memory of one batch task (configure, sql, a backup), beside the engine: the job builders
 * give each batch task this much. Docker enforces the service task's `memoryMb` as a hard limit,
 * so the engine's settings are sized from what is left.
 */
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

/** The files every engine's tasks share, at the same task-relative paths. */
export const COMMON_FILES = {
    health: "local/healthcheck.sh",
    wait: "local/wait.sh",
    configure: "local/configure.sh",
    adminPassword: "secrets/admin_password",
    cert: "secrets/tls.crt",
    key: "secrets/tls.key",
} as const;

/** The host volumes of the engine and its wait task: the data at the mountpoint, the socket where the engine looks for it. */
export function engineVolumes(inst: EngineInstance, place: Placement): VolumeMountSpec[] {
    return [
        { volume: "data", destination: inst.mountpoint },
        { volume: "socket", destination: place.socketDir },
    ];
}

/**
 * The service task's secrets: the administrator's initial password (read by the image's
 * entrypoint as root, at initialisation only), the certificate chain, and the key, owned by the
 * engine's user and unreadable by others (PostgreSQL refuses it otherwise).
 */
export function serviceSecretFiles(uid: number): TaskFile[] {
    return [
        secretFile(COMMON_FILES.adminPassword, "admin_password"),
        secretFile(COMMON_FILES.cert, "tls_cert", { perms: "0444" }),
        secretFile(COMMON_FILES.key, "tls_key", { perms: "0600", uid, gid: uid }),
    ];
}

/** What an engine's service task has of its own; the rest (health check, secrets, volumes) is every engine's. */
export interface ServiceParts {
    /** The server's program and arguments. */
    readonly command: string;
    readonly args: readonly string[];
    /** Environment for the image's entrypoint (no secret). */
    readonly env: Readonly<Record<string, string>>;
    /** Its configuration files. */
    readonly files: readonly TaskFile[];
    /** Its health check script. */
    readonly healthScript: string;
    /** The port, the memory budget, /dev/shm, the clean-shutdown signal and time. */
    readonly port: number;
    readonly sizing: { readonly memoryMb: number; readonly stopSeconds: number; readonly shmSizeMb?: number };
    readonly killSignal: string;
}

/** The engine's service task: its own parts, the health check, the service's secrets (owned by `uid`), the data and socket volumes. */
export function serviceTaskOf(inst: EngineInstance, place: Placement, uid: number, own: ServiceParts): TaskSpec {
    return {
        image: inst.version.image,
        command: own.command,
        args: own.args,
        env: own.env,
        files: [...own.files, plainFile(COMMON_FILES.health, own.healthScript, { perms: "0755" }), ...serviceSecretFiles(uid)],
        volumes: engineVolumes(inst, place),
        port: own.port,
        memoryMb: own.sizing.memoryMb,
        ...(own.sizing.shmSizeMb !== undefined ? { shmSizeMb: own.sizing.shmSizeMb } : {}),
        healthCheck: { command: "bash", args: [containerPath(place, COMMON_FILES.health)] },
        killSignal: own.killSignal,
        killTimeoutSeconds: own.sizing.stopSeconds,
    };
}

/** A task of the engine's image that runs one of its files with bash (`args` after the script's path). */
export function scriptTask(inst: EngineInstance, place: Placement, script: { file: string; content: string }, more: Partial<Pick<TaskSpec, "user" | "files" | "volumes" | "args">> = {}): TaskSpec {
    return {
        image: inst.version.image,
        command: "bash",
        args: [containerPath(place, script.file), ...(more.args ?? [])],
        env: {},
        ...(more.user !== undefined ? { user: more.user } : {}),
        files: [plainFile(script.file, script.content, { perms: "0755" }), ...(more.files ?? [])],
        volumes: more.volumes ?? [{ volume: "socket", destination: place.socketDir }],
    };
}

/** The wait task: the engine's own health check, from a container of its image beside it, until it passes. */
export function waitTaskOf(inst: EngineInstance, place: Placement, healthScript: string, title: string): TaskSpec {
    return scriptTask(inst, place, { file: COMMON_FILES.wait, content: waitScript(containerPath(place, COMMON_FILES.health), title) }, {
        files: [plainFile(COMMON_FILES.health, healthScript, { perms: "0755" })],
        volumes: engineVolumes(inst, place),
    });
}

/** Where an engine's instance lives: its tasks' locations (the engine's defaults filled in) and its data directory, `<mountpoint>/<engine>/<major>`. */
export function locationsOf(engine: string, defaults: { socketDir: string; port: number }): { place(inst: EngineInstance): Placement; dataDir(inst: EngineInstance): string } {
    return {
        place: (inst) => placementOf(inst, { ...defaults, listenAddress: "*" }),
        dataDir: (inst) => `${inst.mountpoint}/${engine}/${inst.version.major}`,
    };
}

/** The Variable items of every engine: the administrator's, the owner's and each user's passwords, the TLS chain and key. */
export function secretItemsOf(adminAccount: string, inst: Pick<EngineInstance, "database" | "users">): SecretItem[] {
    return [
        { name: "admin_password", kind: "password", account: adminAccount },
        { name: "owner_password", kind: "password", account: inst.database },
        ...inst.users.map((u): SecretItem => ({ name: userPasswordItem(u.name), kind: "password", account: u.name })),
        { name: "tls_cert", kind: "tls-cert" },
        { name: "tls_key", kind: "tls-key" },
    ];
}
