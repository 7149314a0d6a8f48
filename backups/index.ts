/**
 * Backups: pure generators of what the backup and restore Nomad jobs run (scripts, rclone
 * config), the manifest format and the retention rule. No Pulumi import.
 */
export * from "./contract";
export * from "./manifest";
export * from "./retention";
export * from "./rclone";
export * from "./obscure";
export * from "./backupScripts";
export * from "./restoreScripts";
export { renderIni, IniSection, IniValue } from "./ini";
export * from "./drillScripts";
