/**
 * The `backup` periodic batch job: the engine's dump streamed (zstd, sha256, size) through a
 * named pipe to rclone, which uploads it encrypted to the primary cloud's container, commits it
 * with its manifest, copies it verified to the secondary, and prunes (backups/ holds the
 * scripts). Never overlapping; never retried in place (the pipe and the marker files belong to
 * one attempt: the next run is the retry).
 */
import { backupJobFiles, DEFAULT_BACKUP_OPTIONS, RetentionPolicy, SCRIPT_FILES } from "../backups";
import { BACKUP_TASK_MB } from "./resources";
import { backupEnv, BackupTarget, engineScriptTask, onceGroup, periodicBatch, rcloneTask } from "./backupParts";
import { hostVolumes } from "./parts";
import { jobId } from "./ids";
import { JobPlacement, NomadJob } from "./types";

/** What the backup job needs besides its placement. */
export interface BackupJobArgs extends BackupTarget {
    /** Cron expression, UTC. */
    readonly schedule: string;
    readonly retention: RetentionPolicy;
}

/** The backup job. */
export function backupJob(p: JobPlacement, args: BackupJobArgs): NomadJob {
    const id = jobId(p.database, "backup");
    const files = backupJobFiles(args.spec, { ...DEFAULT_BACKUP_OPTIONS, retention: args.retention });
    const env = backupEnv(p.database, args);
    return {
        Job: {
            ...periodicBatch(p, id, args.schedule),
            TaskGroups: [onceGroup("backup", [
                engineScriptTask("dump", id, args.image, args.spec.user, SCRIPT_FILES.dump, files.dump, env, [{ volume: "socket", destination: args.socketDir }], BACKUP_TASK_MB.dump),
                rcloneTask("upload", id, SCRIPT_FILES.upload, files.upload, env, args.stores, BACKUP_TASK_MB.rclone),
            ], hostVolumes(["socket"]))],
        },
    };
}
