import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as consul from "@pulumi/consul";
import * as nomad from "../nomad";
import { Artifacts } from "./artifacts";
import { BackupStorage } from "./backupStorage";
import { Engine, EngineInstance } from "../engines";
import { backupJob, backupsJob, BackupTarget, DRILL_CONSUL_TOKEN_ITEM, DRILL_SOCKET_DIR, JobPlacement, jobId, NomadJob, rcloneItems, restoreDrillJob, restoreJob, variablePath } from "../jobs";
import { restoreDrillPath } from "../render/catalog";
import { ARTIFACT_PATHS } from "../render/artifacts";
import { jsonFile } from "../render/json";
import { COMPONENT_TYPES } from "../common/tokens";

/** How the final backup reaches Nomad when the stack is destroyed (the control plane's API). */
export interface NomadApi {
    /** Nomad's HTTPS address. */
    readonly address: pulumi.Input<string>;
    /** A Nomad token that may dispatch and read the database's jobs (secret). */
    readonly token: pulumi.Input<string>;
    /** The CA of Nomad's certificate. */
    readonly caPem: pulumi.Input<string>;
    /** The Nomad region. */
    readonly region: pulumi.Input<string>;
}

/** Arguments of {@link BackupJobs}. */
export interface BackupJobsArgs {
    /** The database's name (plain: it names the jobs). */
    readonly databaseName: string;
    /** The engine's definition. */
    readonly engine: Engine;
    /** The database as the engine's tasks need it. */
    readonly instance: pulumi.Input<EngineInstance>;
    /** The Nomad datacenter and region of the control plane. */
    readonly placement: pulumi.Input<JobPlacement>;
    /** The containers, credentials and crypt key. */
    readonly storage: BackupStorage;
    /** The backup job's cron schedule (UTC). */
    readonly schedule: string;
    /** Retention: days and ISO weeks whose newest backup is kept. */
    readonly retention: { readonly daily: number; readonly weekly: number };
    /** The restore drill's cron schedule (UTC). */
    readonly drillSchedule: string;
    /** The cluster's Consul version (the drill's record task runs its official image). */
    readonly consulVersion: pulumi.Input<string>;
    /** The Nomad provider (jobs, variables). */
    readonly nomadProvider: nomad.Provider;
    /** The Consul provider (the drill's token). */
    readonly consulProvider: pulumi.ProviderResource;
    /** The engine's job: the backup jobs come after it, and the final backup runs before it goes. */
    readonly engineJob: pulumi.Resource;
    /** Nomad's API, for the final backup taken when the stack is destroyed. */
    readonly nomadApi: NomadApi;
    /** When true (dbaas:deleteData), the backups go with the stack: no final backup is taken. */
    readonly deleteData: boolean;
}

/** How long `pulumi destroy` waits for the final backup, in seconds. */
export const FINAL_BACKUP_TIMEOUT_SECONDS = 4 * 3600;

/**
 * A database's backup jobs: the periodic backup, the restore and listing jobs that `dbaas
 * restore` and `dbaas backups` dispatch, and the periodic restore drill, each with its Nomad
 * Variable (rclone's secrets; the drill's Consul token, which may write only its result key),
 * and the final backup: a local command whose delete step (`pulumi destroy`) forces a backup
 * run and waits for it to succeed before anything of the database is deleted.
 */
export class BackupJobs extends pulumi.ComponentResource {
    /** The ids of the backup jobs. */
    public readonly jobIds: { readonly backup: string; readonly restore: string; readonly backups: string; readonly restoreDrill: string };
    /** The Consul KV key of the restore drill's last result. */
    public readonly drillKey: string;
    /** Generated files: the jobs as registered. */
    public readonly artifacts = new Artifacts();

    constructor(name: string, args: BackupJobsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.backupJobs, name, {}, opts);
        const nomadOpts = { parent: this, provider: args.nomadProvider };
        const db = args.databaseName;
        const engine = args.engine;
        const instance = pulumi.output(args.instance) as pulumi.Output<EngineInstance>;
        const placement = pulumi.output(args.placement) as pulumi.Output<JobPlacement>;
        this.jobIds = { backup: jobId(db, "backup"), restore: jobId(db, "restore"), backups: jobId(db, "backups"), restoreDrill: jobId(db, "restore-drill") };
        this.drillKey = restoreDrillPath(db);

        // What the jobs reach: the live engine's socket, or (drill) the throw-away engine's.
        const target = pulumi.all([instance, args.storage.stores]).apply(([i, stores]): BackupTarget => ({
            spec: engine.backupSpec(i), image: i.version.image, version: i.version.minor, socketDir: i.paths?.socketDir ?? engine.socketDir, stores,
        }));
        const scratch = instance.apply((i): EngineInstance => ({ ...i, paths: { ...i.paths, socketDir: DRILL_SOCKET_DIR } }));
        const items = args.storage.items;
        const rclone = (stores: "all" | "primary") => pulumi.secret(pulumi.all([items, args.storage.stores]).apply(([all, s]) =>
            Object.fromEntries(rcloneItems(stores === "all" ? s : { primary: s.primary }).map((k) => [k, all[k] ?? missing(k)]))));
        const after = [args.engineJob];

        const backupVariable = this.variable("backup", rclone("all"), nomadOpts);
        const backup = this.job("backup", pulumi.all([placement, target]).apply(([p, t]) =>
            backupJob(p, { ...t, schedule: args.schedule, retention: { ...args.retention, incompleteGraceHours: 24 } })), [backupVariable, ...after], nomadOpts);
        const restoreVariable = this.variable("restore", rclone("all"), nomadOpts);
        this.job("restore", pulumi.all([placement, target]).apply(([p, t]) => restoreJob(p, t)), [restoreVariable, ...after], nomadOpts);
        const backupsVariable = this.variable("backups", rclone("all"), nomadOpts);
        this.job("backups", pulumi.all([placement, target]).apply(([p, t]) => backupsJob(p, t)), [backupsVariable], nomadOpts);

        // The drill's token may write its result key, nothing else.
        const policy = new consul.AclPolicy(`${name}-drill`, {
            name: `dbaas-${db}-restore-drill`,
            description: `cloud-dbaas: the restore drill of ${db} records its result`,
            rules: JSON.stringify({ key: { [this.drillKey]: { policy: "write" } } }),
        }, { parent: this, provider: args.consulProvider });
        const token = new consul.AclToken(`${name}-drill`, { description: `cloud-dbaas: restore drill of ${db}`, policies: [policy.name] }, { parent: this, provider: args.consulProvider });
        const consulToken = pulumi.secret(consul.getAclTokenSecretIdOutput({ accessorId: token.accessorId }, { parent: this, provider: args.consulProvider }).secretId);
        const drillItems = pulumi.secret(pulumi.all([rclone("primary"), consulToken]).apply(([r, t]): Record<string, string> => ({ ...r, [DRILL_CONSUL_TOKEN_ITEM]: t })));
        const drillVariable = this.variable("restoreDrill", drillItems, nomadOpts);
        this.job("restoreDrill", pulumi.all([placement, target, scratch, args.consulVersion]).apply(([p, t, sc, consulVersion]) => restoreDrillJob(p, {
            ...t, spec: engine.backupSpec(sc), scratch: engine.scratchTask(sc), schedule: args.drillSchedule,
            consulImage: `docker.io/hashicorp/consul:${consulVersion}`, resultKey: this.drillKey,
        })), [drillVariable, ...after], nomadOpts);

        // The final backup: `pulumi destroy` deletes this first (everything below depends on it), and its delete forces a backup run and waits.
        // Not when the stack deletes its data: the backups go with it.
        const api = args.nomadApi;
        if (!args.deleteData) new command.local.Command(`${name}-final-backup`, {
            delete: `node cli/dbaas.js backup --job ${this.jobIds.backup} --nomad-from-env --timeout ${FINAL_BACKUP_TIMEOUT_SECONDS}`,
            environment: {
                DBAAS_NOMAD_ADDR: api.address,
                DBAAS_NOMAD_TOKEN: pulumi.secret(api.token),
                DBAAS_NOMAD_CACERT: api.caPem,
                DBAAS_NOMAD_REGION: api.region,
            },
        }, { parent: this, dependsOn: [backup, backupVariable, ...after, ...args.storage.containers] });

        this.registerOutputs({ jobIds: this.jobIds });
    }

    /** The Nomad Variable `nomad/jobs/<job id>` of one job (its items secret). */
    private variable(kind: keyof BackupJobs["jobIds"], items: pulumi.Output<Record<string, string>>, opts: pulumi.CustomResourceOptions): nomad.Variable {
        return new nomad.Variable(`${this.jobIds[kind]}-secrets`, { path: variablePath(this.jobIds[kind]), items }, opts);
    }

    /** Registers one job (JSON) and records it in the offline plan. */
    private job(kind: keyof BackupJobs["jobIds"], spec: pulumi.Output<NomadJob>, dependsOn: pulumi.Input<pulumi.Resource>[], opts: pulumi.CustomResourceOptions): nomad.Job {
        const jobspec = spec.apply((j) => jsonFile(j));
        this.artifacts.add(ARTIFACT_PATHS.nomadJob(this.jobIds[kind]), jobspec);
        return new nomad.Job(`${this.jobIds[kind]}-job`, { jobspec, json: true, detach: true, purgeOnDestroy: false }, { ...opts, dependsOn });
    }
}

function missing(item: string): never {
    throw new Error(`no value for the Variable item ${item}`);
}
