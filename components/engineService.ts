import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as consul from "@pulumi/consul";
import * as random from "@pulumi/random";
import * as nomad from "../nomad";
import { Artifacts } from "./artifacts";
import { issueCertificate, PlatformCa } from "./platformCa";
import { Engine, EngineInstance, taskSecrets, TaskSpec } from "../engines";
import { configureJob, engineJob, JobPlacement, jobId, NomadJob, RestoreFirst, SQL_PAYLOAD_PATH, sqlJob, variablePath } from "../jobs";
import { catalogPath, catalogValue } from "../render/catalog";
import { connectionFile, ConnectionInfo } from "../render/connection";
import { ARTIFACT_PATHS } from "../render/artifacts";
import { jsonFile } from "../render/json";
import { COMPONENT_TYPES } from "../common/tokens";

/** Arguments of {@link EngineService}. The engine and the accounts are plain: they decide which resources exist. */
export interface EngineServiceArgs {
    /** The engine's definition. */
    readonly engine: Engine;
    /** The database and its users (plain: one password each). */
    readonly accounts: Pick<EngineInstance, "database" | "users">;
    /** The database as the engine's tasks need it (its size comes from the flavor). */
    readonly instance: pulumi.Input<EngineInstance>;
    /** The Nomad datacenter and region of the control plane. */
    readonly placement: pulumi.Input<JobPlacement>;
    /** The database's floating IP: the server certificate names it, clients connect to it. */
    readonly address: pulumi.Input<string>;
    /** The stack's name, for the GitOps file. */
    readonly stack: string;
    /** The Nomad provider (jobs, variables). */
    readonly nomadProvider: nomad.Provider;
    /** The Consul provider (the catalog entry). */
    readonly consulProvider: pulumi.ProviderResource;
    /** What must be done before the engine job is registered (the cluster configured, Nomad running). */
    readonly clusterReady: pulumi.Input<pulumi.Resource>[];
    /** A new database restored from a backup before its accounts exist (`dbaas:restoreFrom`), and the rclone items it reads (secret). */
    readonly restoreFirst?: { readonly job: pulumi.Output<RestoreFirst>; readonly items: pulumi.Output<Record<string, string>> };
}

/** The parts of the `connection` output: the secret ones (password, uri) are Pulumi secrets. */
export type Connection = { readonly [K in keyof ConnectionInfo]: pulumi.Output<ConnectionInfo[K]> } & {
    /** The owner's password (secret). */
    readonly password: pulumi.Output<string>;
    /** The application's URI, password included (secret). */
    readonly uri: pulumi.Output<string>;
};

/**
 * The database itself: the engine as a Nomad service job next to the volume, the configure and
 * sql batch jobs, their secrets (generated passwords, a TLS certificate for the floating IP
 * signed by the database's own CA) in Nomad Variables read by templates — never in a jobspec —,
 * the platform's catalog entry, and how applications connect.
 */
export class EngineService extends pulumi.ComponentResource {
    /** How applications connect (stack output `connection`). */
    public readonly connection: Connection;
    /** The exact image deployed. */
    public readonly image: pulumi.Output<string>;
    /** The ids of the database's Nomad jobs. */
    public readonly jobIds: { readonly engine: string; readonly configure: string; readonly sql: string };
    /** The engine's job (what the backup jobs come after). */
    public readonly engineJob: nomad.Job;
    /** Generated files: the jobs as registered, the GitOps connection file. */
    public readonly artifacts = new Artifacts();

    constructor(name: string, args: EngineServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.engineService, name, {}, opts);
        const parent = { parent: this };
        const nomadOpts = { parent: this, provider: args.nomadProvider };
        const engine = args.engine;
        const db = args.accounts.database;
        const instance = pulumi.output(args.instance) as pulumi.Output<EngineInstance>;
        const placement = pulumi.output(args.placement) as pulumi.Output<JobPlacement>;
        this.jobIds = { engine: jobId(db, "engine"), configure: jobId(db, "configure"), sql: jobId(db, "sql") };

        // The secrets the engine's tasks read: generated passwords, the server's key and certificate.
        const ca = new PlatformCa(`${name}-ca`, { commonName: `${db} database CA` }, parent);
        const cert = issueCertificate(`${name}-server-tls`, {
            caCertPem: ca.certPem,
            caPrivateKeyPem: ca.privateKeyPem,
            commonName: db,
            dnsNames: [`${db}.service.consul`],
            ipAddresses: [args.address],
        }, this);
        const items: Record<string, pulumi.Output<string>> = {};
        for (const item of engine.secretItems(args.accounts)) {
            if (item.kind === "password") {
                const password = new random.RandomPassword(`${name}-${item.name.replace(/_/g, "-")}`, { length: 32, special: false }, { ...parent, additionalSecretOutputs: ["result"] });
                items[item.name] = pulumi.secret(password.result);
            } else if (item.kind === "tls-key") {
                items[item.name] = cert.keyPem;
            } else {
                items[item.name] = pulumi.interpolate`${cert.certPem}${ca.certPem}`;
            }
        }
        const secretsOf = (task: pulumi.Output<TaskSpec>) => pulumi.secret(pulumi.all([task, pulumi.all(items)]).apply(([t, all]) =>
            Object.fromEntries(taskSecrets(t).map((k) => [k, all[k] ?? missing(k)]))));

        const service = instance.apply((i) => engine.serviceTask(i));
        const configure = instance.apply((i) => engine.configureTask(i));
        const wait = instance.apply((i) => engine.waitTask(i));
        const sql = instance.apply((i) => engine.sqlTask(i, SQL_PAYLOAD_PATH));
        const version = instance.apply((i) => i.version);

        // The engine, once the cluster runs Nomad where the volume is.
        const engineVariable = new nomad.Variable(`${name}-engine-secrets`, { path: variablePath(this.jobIds.engine), items: secretsOf(service) }, nomadOpts);
        const engineSpec = pulumi.all([placement, service, version]).apply(([p, task, v]) =>
            engineJob(p, { task, meta: { "dbaas.engine": engine.name, "dbaas.version": v.minor, "dbaas.image": v.image } }));
        const engineJobResource = this.job("engine", engineSpec, { detach: false }, [engineVariable, ...args.clusterReady], nomadOpts);
        this.engineJob = engineJobResource;

        // Its configuration, whenever its inputs change (a fingerprint of them is in the job's meta).
        const restore = args.restoreFirst;
        const configureSecrets = restore ? pulumi.secret(pulumi.all([secretsOf(configure), restore.items]).apply(([a, b]) => ({ ...a, ...b }))) : secretsOf(configure);
        const fingerprint = pulumi.unsecret(pulumi.all([configure, configureSecrets]).apply(([task, secrets]) =>
            createHash("sha256").update(JSON.stringify({ task, secrets })).digest("hex")));
        const configureVariable = new nomad.Variable(`${name}-configure-secrets`, { path: variablePath(this.jobIds.configure), items: configureSecrets }, nomadOpts);
        const configureSpec = pulumi.all([placement, wait, configure, fingerprint, restore?.job]).apply(([p, w, task, f, r]) =>
            configureJob(p, { wait: w, task, inputsFingerprint: f, ...(r ? { restoreFirst: r } : {}) }));
        this.job("configure", configureSpec, { detach: true }, [configureVariable, engineJobResource], nomadOpts);

        // Administration SQL, dispatched by `dbaas sql` (the administrator over the socket: no secret).
        const sqlSpec = pulumi.all([placement, sql]).apply(([p, task]) => {
            if (taskSecrets(task).length > 0) throw new Error(`${engine.title}'s sql task reads secrets: give the sql job a Variable`);
            return sqlJob(p, task);
        });
        this.job("sql", sqlSpec, { detach: true }, [engineJobResource], nomadOpts);

        // How applications connect, and the platform's catalog entry.
        this.image = version.apply((v) => v.image);
        const address = pulumi.output(args.address);
        const password = items["owner_password"] ?? missing("owner_password");
        this.connection = {
            engine: pulumi.output(engine.name),
            version: version.apply((v) => v.minor),
            host: address,
            port: pulumi.output(engine.port),
            database: pulumi.output(db),
            user: pulumi.output(db),
            sslmode: pulumi.output("verify-full" as const),
            caCert: ca.certPem,
            password,
            uri: pulumi.secret(pulumi.all([address, password]).apply(([host, pw]) => engine.connectionUri({ host, port: engine.port, database: db, user: db, password: pw }))),
        };
        const info = pulumi.all([version, address, ca.certPem]).apply(([v, host, caCert]): ConnectionInfo => ({
            engine: engine.name, version: v.minor, host, port: engine.port, database: db, user: db, sslmode: "verify-full", caCert,
        }));
        this.artifacts.add(ARTIFACT_PATHS.connection(), info.apply((i) => connectionFile(i, args.stack)));
        new consul.Keys(`${name}-catalog`, {
            keys: [{ path: catalogPath(db), value: info.apply((i) => catalogValue({ engine: i.engine, version: i.version, address: i.host, port: i.port })) }],
        }, { parent: this, provider: args.consulProvider });

        this.registerOutputs({ image: this.image });
    }

    /** Registers one of the database's jobs (JSON, our nomad/ module) and records it in the offline plan. */
    private job(kind: "engine" | "configure" | "sql", spec: pulumi.Output<NomadJob>, options: { detach: boolean }, dependsOn: pulumi.Input<pulumi.Resource>[], opts: pulumi.CustomResourceOptions): nomad.Job {
        const jobspec = spec.apply((j) => jsonFile(j));
        this.artifacts.add(ARTIFACT_PATHS.nomadJob(this.jobIds[kind]), jobspec);
        return new nomad.Job(`${this.jobIds[kind]}-job`, { jobspec, json: true, detach: options.detach, purgeOnDestroy: false }, { ...opts, dependsOn });
    }
}

function missing(item: string): never {
    throw new Error(`no value for the Variable item ${item}`);
}
