/**
 * The `configure` batch job: creates the database, its owner, the extra users and the schemas
 * (the engine's configuration script), once the engine is ready. Idempotent, so it runs again
 * whenever its inputs change (a new job version) and changes nothing when they did not.
 *
 * A database created from a backup (`dbaas:restoreFrom`) restores it first, in the same
 * allocation: the backup is fetched and decrypted (prestart, beside the wait for the engine),
 * verified and restored into a new database (main), and only then does the configure task run
 * (poststop), and only if the restore left its mark on the data volume: before that, no owner
 * or user account exists, so nothing but the administrator (over the socket) reaches the data.
 * The mark makes the restore happen once in the database's life.
 */
import { ENV, restoreJobFiles, SCRIPT_FILES } from "../backups";
import { BACKUP_TASK_MB, BATCH_CPU_MHZ, BATCH_MEMORY_MB } from "./resources";
import { backupEnv, BackupTarget, engineScriptTask, lifecycle, rcloneTask } from "./backupParts";
import { dockerTask, hostVolumes, jobHeader, seconds } from "./parts";
import { jobId } from "./ids";
import { JobPlacement, NomadJob, TaskSpec } from "./types";

/** The restore a new database starts with. */
export interface RestoreFirst {
    /** The engine's backup spec for this database (its `fresh` restore), the image, and the source's stores (one cloud). */
    readonly target: BackupTarget;
    /** The source database's name (the prefix of its backup ids). */
    readonly sourceDatabase: string;
    /** Which cloud of `target.stores` to read. */
    readonly cloud: "primary" | "secondary";
    /** A backup id or "latest". */
    readonly backup: string;
    /** The data volume's mountpoint (the host volume `data`). */
    readonly mountpoint: string;
    /** The file, on the data volume, that records the restore once done. */
    readonly mark: string;
}

/** What the configure job needs besides its placement. */
export interface ConfigureJobArgs {
    /** The engine's task that waits until the engine is ready (its own readiness check, beside it). */
    readonly wait: TaskSpec;
    /** The engine's configuration task. */
    readonly task: TaskSpec;
    /** A fingerprint of the inputs (users, schemas, passwords…): a change makes a new job version, which runs. No secret. */
    readonly inputsFingerprint: string;
    /** The backup to restore before the first configuration (`dbaas:restoreFrom`). */
    readonly restoreFirst?: RestoreFirst;
}

/** The configure task, run only once the restore's mark exists. */
function gated(task: TaskSpec, r: RestoreFirst): TaskSpec {
    const gate = `if [ ! -e "$1" ]; then echo "configure: the restore of ${r.cloud}:${r.backup} did not succeed (no $1): no account is created; see the restore task's log" >&2; exit 1; fi; shift; exec "$@"`;
    return {
        ...task,
        command: "bash",
        args: ["-c", gate, "restore-gate", r.mark, ...(task.command !== undefined ? [task.command] : []), ...task.args],
        volumes: [...task.volumes, { volume: "data", destination: r.mountpoint }],
    };
}

/** The restore's fetch (prestart) and restore tasks. */
function restoreTasks(id: string, r: RestoreFirst): Record<string, unknown>[] {
    const t = r.target;
    const files = restoreJobFiles({ engine: t.spec.engine, dump: t.spec.dump, restore: t.spec.fresh.restore }, t.spec.fresh.prepare ? { prepare: t.spec.fresh.prepare } : {});
    const env = backupEnv(r.sourceDatabase, t, { [ENV.restoreRemote]: r.cloud, [ENV.restoreBackup]: r.backup, [ENV.restoreMark]: r.mark });
    const data = { volume: "data" as const, destination: r.mountpoint };
    return [
        lifecycle(rcloneTask("restore-fetch", id, SCRIPT_FILES.fetch, files.fetch, env, { [r.cloud]: t.stores[r.cloud] }, BACKUP_TASK_MB.rclone, [data]), "prestart"),
        engineScriptTask("restore", id, t.image, t.spec.user, SCRIPT_FILES.restore, files.restore, env, [{ volume: "socket", destination: t.socketDir }, data], BACKUP_TASK_MB.restore),
    ];
}

/** The configure job. */
export function configureJob(p: JobPlacement, args: ConfigureJobArgs): NomadJob {
    const id = jobId(p.database, "configure");
    const header = jobHeader(p, id, "batch");
    const resources = { cpuMhz: BATCH_CPU_MHZ, memoryMb: BATCH_MEMORY_MB };
    const r = args.restoreFirst;
    const wait = { ...dockerTask("wait-for-engine", args.wait, id, r ? { ...resources, memoryMb: BACKUP_TASK_MB.drill } : resources), Lifecycle: { Hook: "prestart", Sidecar: false } };
    const tasks = r
        ? [wait, ...restoreTasks(id, r), lifecycle(dockerTask("configure", gated(args.task, r), id, resources), "poststop")]
        : [wait, dockerTask("configure", args.task, id, resources)];
    return {
        Job: {
            ...header,
            ID: id,
            Type: "batch",
            Meta: { ...(header["Meta"] as Record<string, string>), "dbaas.inputs": args.inputsFingerprint },
            TaskGroups: [{
                Name: "configure",
                Count: 1,
                Volumes: hostVolumes(),
                // A failure is retried in place, then rescheduled: the engine may be moving.
                RestartPolicy: { Attempts: 3, Interval: seconds(600), Delay: seconds(15), Mode: "fail" },
                ReschedulePolicy: { Attempts: 5, Interval: seconds(3600), Delay: seconds(30), DelayFunction: "exponential", MaxDelay: seconds(600), Unlimited: false },
                Tasks: tasks,
            }],
        },
    };
}
