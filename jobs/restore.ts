/**
 * The restore jobs: `restore` (parameterized: `dbaas restore` dispatches it with the backup and
 * the cloud) restores into the live database; `backups` (parameterized: `dbaas backups`) lists
 * a cloud's backups with their manifests. A restore fetches and decrypts first (prestart), then
 * verifies the object's size and sha256 against its manifest before anything touches the
 * database, and fails naming the object otherwise.
 */
import { listScript, restoreJobFiles, ENV, SCRIPT_FILES } from "../backups";
import { BACKUP_TASK_MB } from "./resources";
import { backupEnv, BackupTarget, engineScriptTask, lifecycle, onceGroup, parameterizedBatch, rcloneTask } from "./backupParts";
import { hostVolumes } from "./parts";
import { jobId } from "./ids";
import { JobPlacement, NomadJob } from "./types";

/** The dispatch meta of the restore job: `backup` (an id or "latest"), `cloud` ("primary" by default, or "secondary"). */
export const RESTORE_META = { backup: "backup", cloud: "cloud" } as const;

/** The restore job (into the live database, whose accounts exist). */
export function restoreJob(p: JobPlacement, t: BackupTarget): NomadJob {
    const id = jobId(p.database, "restore");
    const files = restoreJobFiles(t.spec);
    const env = backupEnv(p.database, t, { [ENV.restoreBackup]: `\${NOMAD_META_${RESTORE_META.backup}}`, [ENV.restoreRemote]: `\${NOMAD_META_${RESTORE_META.cloud}}` });
    return {
        Job: {
            ...parameterizedBatch(p, id, [RESTORE_META.backup], RESTORE_META.cloud),
            TaskGroups: [onceGroup("restore", [
                lifecycle(rcloneTask("fetch", id, SCRIPT_FILES.fetch, files.fetch, env, t.stores, BACKUP_TASK_MB.rclone), "prestart"),
                engineScriptTask("restore", id, t.image, t.spec.user, SCRIPT_FILES.restore, files.restore, env, [{ volume: "socket", destination: t.socketDir }], BACKUP_TASK_MB.restore),
            ], hostVolumes(["socket"]))],
        },
    };
}

/** The listing job: prints every backup of a cloud with its manifest. */
export function backupsJob(p: JobPlacement, t: Pick<BackupTarget, "spec" | "version" | "stores">): NomadJob {
    const id = jobId(p.database, "backups");
    const env = backupEnv(p.database, t, { [ENV.restoreRemote]: `\${NOMAD_META_${RESTORE_META.cloud}}` });
    return {
        Job: {
            ...parameterizedBatch(p, id, [], RESTORE_META.cloud),
            TaskGroups: [onceGroup("backups", [rcloneTask("list", id, SCRIPT_FILES.list, { [SCRIPT_FILES.list]: listScript() }, env, t.stores, BACKUP_TASK_MB.list)])],
        },
    };
}
