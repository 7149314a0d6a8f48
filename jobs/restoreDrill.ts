/**
 * The `restore-drill` periodic batch job: the latest backup of the primary cloud fetched and
 * verified (prestart), restored into a throw-away engine of the same image on the same node
 * (a prestart sidecar: its data inside its container, no network at all, its socket in the
 * allocation's directory), its row counts compared with the manifest's; the result, passed or
 * failed, written by a poststop task to the database's Consul KV entry `dbaas/databases/<name>/restore-drill`.
 */
import { drillJobFiles, ENV, restoreScript, SCRIPT_FILES, WORK_DIRS } from "../backups";
import { BACKUP_TASK_MB } from "./resources";
import { backupEnv, BackupTarget, engineScriptTask, lifecycle, onceGroup, periodicBatch, rcloneTask, scriptFiles } from "./backupParts";
import { dockerTask } from "./parts";
import { jobId } from "./ids";
import { JobPlacement, NomadJob, TaskSpec } from "./types";

/** Where the throw-away engine's socket is, in every task of the drill (the alloc dir is /alloc). */
export const DRILL_SOCKET_DIR = `/alloc/${WORK_DIRS.drill}-socket`;

/** The Variable item holding the Consul token the record task writes with. */
export const DRILL_CONSUL_TOKEN_ITEM = "consul_token";

/** What the drill job needs besides its placement. */
export interface RestoreDrillJobArgs extends BackupTarget {
    /** The engine's throw-away server (engines: scratchTask, for an instance whose socket is {@link DRILL_SOCKET_DIR}). */
    readonly scratch: TaskSpec;
    /** Cron expression, UTC. */
    readonly schedule: string;
    /** Consul's official image, the cluster's version (its CLI writes the result). */
    readonly consulImage: string;
    /** The Consul KV key of the result. */
    readonly resultKey: string;
}

/** No network: the throw-away engine and the restore talk over the socket in the alloc dir only. */
function offline(task: Record<string, unknown>): Record<string, unknown> {
    return { ...task, Config: { ...(task["Config"] as Record<string, unknown>), network_mode: "none" } };
}

/** The restore drill job. */
export function restoreDrillJob(p: JobPlacement, args: RestoreDrillJobArgs): NomadJob {
    const id = jobId(p.database, "restore-drill");
    if (!args.spec.ping.some((w) => w.includes(DRILL_SOCKET_DIR))) {
        throw new Error(`the drill's commands must reach the throw-away engine at ${DRILL_SOCKET_DIR}`);
    }
    const env = backupEnv(p.database, args, { [ENV.restoreRemote]: "primary", [ENV.restoreBackup]: "latest" });
    const primary = { primary: args.stores.primary };
    const drillFiles = drillJobFiles(args.spec);
    const restore = restoreScript({ engine: args.spec.engine, dump: args.spec.dump, restore: args.spec.fresh.restore }, args.spec.fresh.prepare ? { prepare: args.spec.fresh.prepare } : {});
    const record: TaskSpec = {
        image: args.consulImage, entrypoint: ["/bin/sh"], args: [`/local/${SCRIPT_FILES.record}`],
        env: { ...env, [ENV.drillKey]: args.resultKey, CONSUL_HTTP_ADDR: "127.0.0.1:8500", CONSUL_HTTP_TOKEN_FILE: `\${NOMAD_SECRETS_DIR}/${DRILL_CONSUL_TOKEN_ITEM}` },
        files: [...scriptFiles(drillFiles.record), { destination: `secrets/${DRILL_CONSUL_TOKEN_ITEM}`, secret: DRILL_CONSUL_TOKEN_ITEM, perms: "0400" }],
        volumes: [],
    };
    return {
        Job: {
            ...periodicBatch(p, id, args.schedule),
            TaskGroups: [onceGroup("restore-drill", [
                lifecycle(rcloneTask("fetch", id, SCRIPT_FILES.drillFetch, drillFiles.fetch, env, primary, BACKUP_TASK_MB.rclone), "prestart"),
                lifecycle(offline(dockerTask("scratch", args.scratch, id, { cpuMhz: 100, memoryMb: BACKUP_TASK_MB.scratch })), "prestart", true),
                offline(engineScriptTask("drill", id, args.image, args.spec.user, SCRIPT_FILES.drill, { ...drillFiles.drill, [SCRIPT_FILES.restore]: restore }, env, [], BACKUP_TASK_MB.drill)),
                lifecycle(dockerTask("record", record, id, { cpuMhz: 100, memoryMb: BACKUP_TASK_MB.record }), "poststop"),
            ])],
        },
    };
}
