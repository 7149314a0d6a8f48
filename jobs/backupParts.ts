/**
 * Pieces the backup, restore and restore-drill jobs share: the rclone task (official image, its
 * config rendered from the job's Nomad Variable), the engine-image task running a backups/
 * script, the jobs' environment. Pure.
 */
import { BackupStore, ENV, RCLONE_IMAGE, rcloneConfig, nomadVariableRef, SECRET_ITEMS } from "../backups";
import { EngineBackupSpec, VolumeMountSpec } from "../engines";
import { dockerTask, jobHeader, variablePath } from "./parts";
import { JobPlacement } from "./types";
import { TaskFile, TaskSpec } from "./types";

/** Each cloud's Swift container and credentials (the secrets are items of the job's Variable). */
export interface BackupStores {
    readonly primary: BackupStore;
    readonly secondary?: BackupStore;
}

/** What every backup-side job knows of its database. */
export interface BackupTarget {
    /** The engine's backup spec, for the instance the job's tasks reach (engines: backupSpec). */
    readonly spec: EngineBackupSpec;
    /** The engine's exact image. */
    readonly image: string;
    /** The exact version deployed (the manifest records it). */
    readonly version: string;
    /** Where the Nomad host volume `socket` is mounted in the engine-image tasks (the engine's socket directory). */
    readonly socketDir: string;
    /** The clouds' stores. */
    readonly stores: BackupStores;
}

/** The rendered rclone config, where every rclone task finds it. */
export const RCLONE_CONF = "secrets/rclone.conf";

/** Plain script files under `local/`, executable. */
export function scriptFiles(files: Readonly<Record<string, string>>): TaskFile[] {
    return Object.entries(files).map(([name, content]) => ({ destination: `local/${name}`, content, perms: "0755" }));
}

/** The jobs' plain environment (none of it secret). */
export function backupEnv(database: string, t: Pick<BackupTarget, "spec" | "version" | "stores">, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
    return {
        [ENV.database]: database, [ENV.engine]: t.spec.engine, [ENV.engineVersion]: t.version,
        [ENV.secondary]: t.stores.secondary ? "1" : "0", ...extra,
    };
}

/**
 * A template block whose body may read this job's Variable (`{{ with nomadVar "nomad/jobs/<id>" }}{{ .item }}{{ end }}`)
 * and holds no other template action; rendered 0400 under secrets/.
 */
export function variableTemplate(destination: string, body: string, jobId: string): Record<string, unknown> {
    const allowed = `{{ with nomadVar "${variablePath(jobId)}" }}{{ .`;
    const actions = body.split("{{ with nomadVar ").slice(1);
    const plain = body.replace(/\{\{ with nomadVar "[^"]+" \}\}\{\{ \.[a-z_][a-z0-9_]* \}\}\{\{ end \}\}/g, "");
    if (plain.includes("{{") || actions.some((a) => !`{{ with nomadVar ${a}`.startsWith(allowed))) {
        throw new Error(`${destination}: a template may read only ${variablePath(jobId)}, and nothing else`);
    }
    if (!destination.startsWith("secrets/")) throw new Error(`${destination}: a file holding secrets goes under secrets/`);
    return { DestPath: destination, EmbeddedTmpl: body, ChangeMode: "restart", Perms: "0400", ErrMissingKey: true };
}

/** A task of rclone's official image running one of its scripts, its rclone.conf from the job's Variable. */
export function rcloneTask(name: string, jobId: string, script: string, files: Readonly<Record<string, string>>, env: Readonly<Record<string, string>>,
    stores: { readonly primary?: BackupStore; readonly secondary?: BackupStore }, memoryMb: number, volumes: readonly VolumeMountSpec[] = []): Record<string, unknown> {
    const spec: TaskSpec = {
        image: RCLONE_IMAGE, entrypoint: ["/bin/sh"], args: [`/local/${script}`],
        env: { ...env, [ENV.rcloneConfig]: `\${NOMAD_SECRETS_DIR}/rclone.conf` },
        files: scriptFiles(files), volumes,
    };
    const task = dockerTask(name, spec, jobId, { cpuMhz: 100, memoryMb });
    const conf = variableTemplate(RCLONE_CONF, rcloneConfig(stores, nomadVariableRef(variablePath(jobId))), jobId);
    return { ...task, Templates: [...(task["Templates"] as object[]), conf] };
}

/** A task of the engine's image running one of its scripts (bash), as `user`. */
export function engineScriptTask(name: string, jobId: string, image: string, user: string | undefined, script: string, files: Readonly<Record<string, string>>,
    env: Readonly<Record<string, string>>, volumes: readonly VolumeMountSpec[], memoryMb: number): Record<string, unknown> {
    const spec: TaskSpec = { image, command: "bash", args: [`/local/${script}`], env, ...(user !== undefined ? { user } : {}), files: scriptFiles(files), volumes };
    return dockerTask(name, spec, jobId, { cpuMhz: 100, memoryMb });
}

/** A prestart (or, with `sidecar`, a prestart sidecar) or poststop task. */
export function lifecycle<T extends Record<string, unknown>>(task: T, hook: "prestart" | "poststop", sidecar = false): T & { Lifecycle: object } {
    return { ...task, Lifecycle: { Hook: hook, Sidecar: sidecar } };
}

/** The secret items a job's rclone.conf reads: each configured cloud's crypt password and salt and Swift secret. */
export function rcloneItems(stores: { readonly primary?: BackupStore; readonly secondary?: BackupStore }): string[] {
    return (["primary", "secondary"] as const).filter((c) => stores[c]).flatMap((c) => [SECRET_ITEMS.cryptPassword(c), SECRET_ITEMS.cryptSalt(c), SECRET_ITEMS.swiftSecret(c)]);
}

/** The fields a batch job starts with. */
export type BatchStart = Record<string, unknown> & { readonly ID: string; readonly Type: "batch" };

/** The start of a periodic batch job: a cron schedule in UTC, a run never starting while the previous one runs. */
export function periodicBatch(p: JobPlacement, id: string, schedule: string): BatchStart {
    return { ...jobHeader(p, id, "batch"), ID: id, Type: "batch" as const, Periodic: { Enabled: true, SpecType: "cron", Specs: [schedule], ProhibitOverlap: true, TimeZone: "UTC" } };
}

/** The start of a parameterized batch job (no payload) whose optional meta `cloud` defaults to the primary. */
export function parameterizedBatch(p: JobPlacement, id: string, metaRequired: readonly string[], cloudMeta: string): BatchStart {
    const header = jobHeader(p, id, "batch");
    return {
        ...header, ID: id, Type: "batch" as const,
        // Job meta is the dispatch meta's default.
        Meta: { ...(header["Meta"] as Record<string, string>), [cloudMeta]: "primary" },
        ParameterizedJob: { Payload: "forbidden", MetaRequired: [...metaRequired], MetaOptional: [cloudMeta] },
    };
}

/**
 * A task group that runs once: never restarted in place, never rescheduled (a backup's pipe and
 * markers belong to one attempt; a restore or a listing runs when asked; the next periodic run
 * is the retry).
 */
export function onceGroup(name: string, tasks: readonly Record<string, unknown>[], volumes?: Record<string, object>): Record<string, unknown> {
    return {
        Name: name, Count: 1, ...(volumes ? { Volumes: volumes } : {}),
        RestartPolicy: { Attempts: 0, Mode: "fail" }, ReschedulePolicy: { Attempts: 0, Unlimited: false }, Tasks: [...tasks],
    };
}
