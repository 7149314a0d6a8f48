import { Command, UserError } from "../command";
import { dispatch } from "../nomad";
import { CLOUD_STACK_OPTIONS, cloudOf, followJob, stackJob, timeoutOf } from "../jobRun";
import { RESTORE_META } from "../../jobs/restore";

const BACKUP_ID = /^[a-z][a-z0-9-]*-\d{8}T\d{6}Z$/;

/** `dbaas restore`: restores a backup into the live database. */
export const restore: Command = {
    name: "restore",
    summary: "Restore a backup (an id, or latest) into the existing database, after verifying its checksum.",
    options: { ...CLOUD_STACK_OPTIONS, backup: { type: "string", value: "ID|latest", help: "the backup (dbaas backups lists them)", required: true } },
    details: [
        "Dispatches the stack's Nomad job `<database>-restore`: its fetch task downloads and decrypts the backup,",
        "then its restore task checks the size and sha256 against the manifest before it touches the database",
        "(a corrupt, truncated or undecryptable object fails, naming it), and restores over the live database:",
        "PostgreSQL in one transaction (--clean: the dump's objects replace those of the same name), MariaDB",
        "table by table. Applications stay connected: stop their writes first.",
    ].join("\n"),
    async run({ options }, io) {
        const timeout = timeoutOf(options);
        const backupId = String(options["backup"]);
        if (backupId !== "latest" && !BACKUP_ID.test(backupId)) throw new UserError(`--backup ${backupId}: a backup id (<database>-<YYYYMMDDTHHMMSSZ>, see dbaas backups) or latest`, 2);
        const cloud = cloudOf(options);
        const { target, jobId } = stackJob(options, "restore", "restore");
        const dispatched = await dispatch(target, jobId, undefined, { [RESTORE_META.backup]: backupId, [RESTORE_META.cloud]: cloud });
        io.err(`dbaas restore: dispatched ${dispatched} (${cloud}:${backupId})\n`);
        const run = await followJob(target, dispatched, ["fetch", "restore"], timeout, io);
        if (!run.ok) {
            io.err(`dbaas restore: ${dispatched} ${run.allocation.ClientStatus}: the restore of ${cloud}:${backupId} failed, see its errors above\n`);
            return 1;
        }
        io.err(`dbaas restore: ${cloud}:${backupId} restored\n`);
        return 0;
    },
};
