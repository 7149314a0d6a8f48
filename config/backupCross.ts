/** The cross-key rules of the backup keys: a secret goes with the key that needs it. Pure. */
import { ENGINES, EngineName } from "../engines";
import { BackupConfig, RestoreFromConfig } from "./types";

/**
 * Reports (key name without namespace, its value, message) every inconsistency: the secondary
 * cloud without its secret (or the secret without it), restoreFrom without its key (or the key
 * without it), a restore from the secondary cloud when none is configured.
 */
export function backupCrossRules(values: ReadonlyMap<string, unknown>, present: ReadonlyMap<string, string>, report: (key: string, value: string | undefined, message: string) => void): void {
    const backup = values.get("backup") as BackupConfig | undefined;
    const secondary = backup?.secondary !== undefined;
    if (secondary && !present.has("backupSecondarySecret")) {
        report("backupSecondarySecret", undefined, "is required when dbaas:backup names a secondary cloud: pulumi config set --secret dbaas:backupSecondarySecret <its application credential's secret>");
    }
    if (!secondary && present.has("backupSecondarySecret") && !(present.has("backup") && backup === undefined)) {
        report("backupSecondarySecret", present.get("backupSecondarySecret"), "is set but dbaas:backup names no secondary cloud: remove it, or add \"secondary\" to dbaas:backup");
    }
    const restore = values.get("restoreFrom") as RestoreFromConfig | undefined;
    if (present.has("restoreFrom") && !present.has("restoreKey")) {
        report("restoreKey", undefined, "is required with dbaas:restoreFrom: the source stack's backupKey output, set with pulumi config set --secret");
    }
    if (!present.has("restoreFrom") && present.has("restoreKey")) report("restoreKey", present.get("restoreKey"), "is set but dbaas:restoreFrom is not: remove it");
    const engine = values.get("engine") as EngineName | undefined;
    const name = values.get("name") as string | undefined;
    if (restore?.database !== undefined && engine !== undefined && name !== undefined && restore.database !== name && !ENGINES[engine].restoresUnderAnotherName) {
        report("restoreFrom", present.get("restoreFrom"), `restores database ${restore.database} into ${name}: ${ENGINES[engine].title}'s backups name their database, so a database restored from one keeps its name (dbaas:name: ${restore.database})`);
    }
    if (restore?.cloud === "secondary" && !secondary && !(present.has("backup") && backup === undefined)) {
        report("restoreFrom", present.get("restoreFrom"), "restores from the secondary cloud, but dbaas:backup names none: add \"secondary\" to dbaas:backup");
    }
}
