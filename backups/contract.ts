/**
 * The contract between the backup/restore Nomad jobs and the scripts of this folder: the
 * environment variables each task gets, the files it finds, and the secret items of the Nomad
 * Variable. The job builders (jobs/) and the tests use these names; nothing else spells them.
 *
 * Backup job (periodic batch), one group, two tasks sharing the group's alloc dir:
 *   - `dump`   (the engine's image): runs {@link SCRIPT_FILES.dump}: counts rows, then streams
 *     dump | zstd | tee(sha256, size) into the named pipe `${NOMAD_ALLOC_DIR}/backup/stream`;
 *   - `upload` (rclone/rclone): runs {@link SCRIPT_FILES.upload}: `rclone rcat` from the pipe to
 *     the primary crypt remote, then the manifest, the verified copy to the secondary, pruning.
 *   A failing dump writes `failed` and waits (up to the finish timeout) for the upload task to
 *   remove the object it streamed before exiting non-zero; if a task dies outright, Nomad stops
 *   its sibling ("sibling task failed"), so neither waits forever on the pipe, and prune removes
 *   the incomplete backup after its grace period. The job must not restart tasks in place
 *   (restart attempts 0: the pipe and the marker files belong to one attempt); the next
 *   periodic run is the retry.
 * Restore job (batch): `fetch` (rclone/rclone, prestart) runs {@link SCRIPT_FILES.fetch};
 *   `restore` (the engine's image, main) runs {@link SCRIPT_FILES.restore}, which verifies the
 *   checksum before it touches the database.
 */

/**
 * rclone's official image, pinned to the version the tests run (Debian 12's rclone is 1.60.1:
 * same version, so what the tests prove is what runs). Its ENTRYPOINT is `rclone`: the tasks set
 * the entrypoint to `/bin/sh` (busybox) and run the script.
 */
export const RCLONE_IMAGE = "rclone/rclone:1.60.1";

/** Environment variables (plain values in the jobspec: none of them is a secret). */
export const ENV = {
    /** Set by Nomad: the alloc dir shared by the tasks of the group (`/alloc` in docker). */
    allocDir: "NOMAD_ALLOC_DIR",
    /** Path of the rendered rclone config (rclone reads it): `${NOMAD_SECRETS_DIR}/rclone.conf` (rclone tasks only). */
    rcloneConfig: "RCLONE_CONFIG",
    /** The database's name: the prefix of every backup id. */
    database: "DBAAS_DATABASE",
    /** The engine's name (`postgresql`, `mariadb`), written to and checked against the manifest. */
    engine: "DBAAS_ENGINE",
    /** The exact engine version running (the pinned image tag), written to the manifest. */
    engineVersion: "DBAAS_ENGINE_VERSION",
    /** Backup/prune: `1` when the secondary remote exists (copy and prune there too). */
    secondary: "DBAAS_BACKUP_SECONDARY",
    /** Set by the dump script for a dump command that writes the row counts itself (no `rowCounts` command). */
    rowsFile: "DBAAS_ROWS_FILE",
    /** Restore: which remote to restore from, `primary` or `secondary`. */
    restoreRemote: "DBAAS_RESTORE_REMOTE",
    /** Restore: a backup id (`<database>-<YYYYMMDDTHHMMSSZ>`) or `latest`. */
    restoreBackup: "DBAAS_RESTORE_BACKUP",
    /**
     * Restore into a new database: a file on the data volume that records the restore once it
     * succeeded; when it exists, fetch and restore do nothing (the restore runs once in a
     * database's life, however often its job runs).
     */
    restoreMark: "DBAAS_RESTORE_MARK",
    /** Restore drill: the Consul KV key its result is written to. */
    drillKey: "DBAAS_DRILL_KEY",
} as const;

/** Sub-directories of the alloc dir the scripts work in (created by the scripts). */
export const WORK_DIRS = { backup: "backup", restore: "restore", drill: "drill" } as const;

/** The scripts, as the job's template blocks render them into `${NOMAD_TASK_DIR}` (`local/`). */
export const SCRIPT_FILES = {
    dump: "backup-dump.sh",
    upload: "backup-upload.sh",
    prune: "backup-prune.sh",
    pruneSelect: "prune-select.awk",
    fetch: "restore-fetch.sh",
    restore: "restore.sh",
    list: "backups-list.sh",
    drill: "restore-drill.sh",
    drillFetch: "drill-fetch.sh",
    record: "drill-record.sh",
} as const;

/**
 * How each task runs its script (for the job builder): the interpreter is the entrypoint, the
 * script (rendered by a template block into `local/`) its argument; engine tasks run as the
 * engine's OS user so that the superuser's local socket login works.
 */
export const TASK_COMMANDS = {
    dump: { image: "engine", entrypoint: ["/bin/bash"], args: [`local/${SCRIPT_FILES.dump}`] },
    upload: { image: RCLONE_IMAGE, entrypoint: ["/bin/sh"], args: [`local/${SCRIPT_FILES.upload}`] },
    fetch: { image: RCLONE_IMAGE, entrypoint: ["/bin/sh"], args: [`local/${SCRIPT_FILES.fetch}`], lifecycle: "prestart" },
    restore: { image: "engine", entrypoint: ["/bin/bash"], args: [`local/${SCRIPT_FILES.restore}`] },
    list: { image: RCLONE_IMAGE, entrypoint: ["/bin/sh"], args: [`local/${SCRIPT_FILES.list}`] },
    drill: { image: "engine", entrypoint: ["/bin/bash"], args: [`local/${SCRIPT_FILES.drill}`] },
    drillFetch: { image: RCLONE_IMAGE, entrypoint: ["/bin/sh"], args: [`local/${SCRIPT_FILES.drillFetch}`], lifecycle: "prestart" },
    record: { image: "consul", entrypoint: ["/bin/sh"], args: [`local/${SCRIPT_FILES.record}`] },
} as const;

/** The rclone remote names of the rendered config (crypt remotes; the `_store` ones are Swift). */
export const REMOTES = { primary: "primary", secondary: "secondary" } as const;

/** Which cloud: the primary (the database's own) or the secondary (disaster recovery). */
export type Cloud = keyof typeof REMOTES;

/**
 * The secret items of the backup Nomad Variable, read by the rclone.conf template. The crypt
 * items hold rclone-obscured values (backups/obscure.ts); the Swift secrets are plain.
 */
export const SECRET_ITEMS = {
    cryptPassword: (c: Cloud) => `${c}_crypt_password`,
    cryptSalt: (c: Cloud) => `${c}_crypt_salt`,
    /** tempauth key, or the Keystone application credential's secret. */
    swiftSecret: (c: Cloud) => `${c}_swift_secret`,
} as const;

/** The env var naming each file a task needs, and the file itself, for the tests and the job builder. */
export interface TaskFiles {
    /** Relative file name in the task dir → content. */
    readonly [file: string]: string;
}
