/**
 * Pure builders of a database's Nomad jobs (one per job kind, from the engine's task specs),
 * in the JSON form of Nomad's API, as our nomad/ module registers them.
 */
export * from "./types";
export { jobId, JobKind } from "./ids";
export { variablePath } from "./parts";
export { engineJob, EngineJobArgs } from "./engine";
export { configureJob, ConfigureJobArgs, RestoreFirst } from "./configure";
export { sqlJob, SQL_PAYLOAD_FILE, SQL_PAYLOAD_PATH } from "./sql";
export { backupJob, BackupJobArgs } from "./backup";
export { restoreJob, backupsJob, RESTORE_META } from "./restore";
export { restoreDrillJob, RestoreDrillJobArgs, DRILL_SOCKET_DIR, DRILL_CONSUL_TOKEN_ITEM } from "./restoreDrill";
export { BackupStores, BackupTarget, rcloneItems } from "./backupParts";
