/**
 * What the jobs of a database get of their node besides the engine (whose task says its own
 * memory: engines/common.ts leaves the node a share of the flavor, room for one batch task).
 */

import { BATCH_TASK_MB } from "../engines";

/** Memory of a batch task (configure, sql, backups): one at a time besides the engine (the engines leave it room). */
export const BATCH_MEMORY_MB = BATCH_TASK_MB;

/** CPU shares (Nomad counts MHz): the engine weighs 10 batch tasks; no hard limit, so it may use every core. */
export const ENGINE_CPU_MHZ = 1000;

/** CPU shares of a batch task. */
export const BATCH_CPU_MHZ = 100;

/**
 * How the backup jobs share the batch room ({@link BATCH_MEMORY_MB}) between tasks that run at
 * the same time: the dump (pg_dump/mariadb-dump, zstd, bash) and the rclone upload; a restore's
 * rclone fetch (prestart) and the restore; the drill's throw-away engine beside its restore.
 * Nomad counts a group as its prestart sidecars plus the largest of its prestart (ephemeral),
 * main and poststop phases: backup 160 + 96; restore max(96, 160); drill 128 + max(96, 64, 32);
 * a configure job that restores first max(64 + 96, 160, 256): each within the room.
 */
export const BACKUP_TASK_MB = {
    dump: 160,
    rclone: 96,
    restore: 160,
    scratch: 128,
    drill: 64,
    record: 32,
    list: 96,
} as const;
