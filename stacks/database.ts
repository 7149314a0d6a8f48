import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { DatabaseConfig } from "../config";
import { engineOf, EngineInstance } from "../engines";
import { Database } from "../components/database";
import { EngineService } from "../components/engineService";
import { BackupStorage, sourceItems } from "../components/backupStorage";
import { BackupJobs } from "../components/backupJobs";
import { RestoreFirst } from "../jobs";
import { CONTROL_PLANE_OUTPUTS, ControlPlaneOutputName, ControlPlaneOutputs } from "../contract/controlPlane";
import { StackDefinition } from "./types";

/** Reads every control-plane output the contract lists, through a StackReference; secret ones come back as secrets. */
export function readControlPlane(stackName: string): ControlPlaneOutputs<"input"> {
    const ref = new pulumi.StackReference("control-plane", { name: stackName });
    const entries = (Object.keys(CONTROL_PLANE_OUTPUTS) as ControlPlaneOutputName[]).map((key) => {
        const value = ref.requireOutput(key);
        return [key, CONTROL_PLANE_OUTPUTS[key].secret ? pulumi.secret(value) : value] as const;
    });
    return Object.fromEntries(entries) as unknown as ControlPlaneOutputs<"input">;
}

/** The database stack: the control plane it runs on, its cluster, its engine and how to connect. */
export function databaseStack(cfg: DatabaseConfig): StackDefinition {
    const cp = readControlPlane(cfg.controlPlane);
    const engine = engineOf(cfg.engine);
    const mountpoint = `/srv/${cfg.name}`;
    // The engine is sized from the flavor (Nova's RAM and vCPUs).
    const flavor = openstack.compute.getFlavorOutput({ name: cfg.flavor });
    const instance: pulumi.Output<EngineInstance> = flavor.apply((f) => {
        if (!f.ram || !f.vcpus) throw new Error(`flavor ${cfg.flavor}: Nova reports no RAM or vCPUs`);
        return { database: cfg.name, mountpoint, version: cfg.version, size: { ramMb: f.ram, vcpus: f.vcpus }, volumeGb: cfg.sizeGb, users: cfg.users, schemas: cfg.schemas };
    });
    const db = new Database(cfg.name, {
        name: cfg.name,
        enginePort: engine.port,
        sizeGb: cfg.sizeGb,
        volumeType: cfg.volumeType,
        deleteData: cfg.deleteData,
        nodes: cfg.nodes,
        flavor: cfg.flavor,
        image: cfg.image,
        allowedCidrs: cfg.allowedCidrs,
        floatingIpPool: cfg.floatingIpPool,
        fstype: cfg.fstype,
        authUrl: cfg.authUrl,
        region: cfg.region,
        engineStopSeconds: instance.apply((i) => engine.serviceTask(i).killTimeoutSeconds ?? 120),
        controlPlane: cp,
    });
    const placement = pulumi.all([cp.datacenter, cp.nomadRegion]).apply(([datacenter, region]) => ({ database: cfg.name, datacenter, region }));
    const secondary = cfg.backup.secondary;
    const storage = new BackupStorage(`${cfg.name}-backup-storage`, {
        databaseName: cfg.name, authUrl: cfg.authUrl, region: cfg.region, deleteData: cfg.deleteData,
        ...(secondary ? { secondary: { cloud: secondary, credentialSecret: pulumi.secret(cfg.backupSecondarySecret ?? "") } } : {}),
    }, { parent: db });
    const service = new EngineService(`${cfg.name}-engine`, {
        engine,
        accounts: { database: cfg.name, users: cfg.users },
        instance,
        placement,
        address: db.address,
        stack: pulumi.getStack(),
        nomadProvider: db.nomadProvider,
        consulProvider: db.consulProvider,
        clusterReady: [db.pacemaker.configure],
        ...restoreFirst(cfg, instance, storage),
    }, { parent: db });
    const backups = new BackupJobs(`${cfg.name}-backups`, {
        databaseName: cfg.name, engine, instance, placement, storage,
        schedule: cfg.backup.schedule, retention: { daily: cfg.backup.daily, weekly: cfg.backup.weekly }, drillSchedule: cfg.backup.drillSchedule,
        consulVersion: cp.consulVersion, nomadProvider: db.nomadProvider, consulProvider: db.consulProvider, engineJob: service.engineJob,
        nomadApi: { address: cp.nomadAddress, token: cp.nomadToken, caPem: cp.caCertPem, region: cp.nomadRegion },
        deleteData: cfg.deleteData,
    }, { parent: db });
    const artifacts = new Map(Object.entries(db.artifacts.all));
    for (const [path, content] of [...Object.entries(service.artifacts.all), ...Object.entries(backups.artifacts.all)]) artifacts.set(path, content);
    return {
        outputs: {
            name: cfg.name,
            engine: cfg.engine,
            version: cfg.version.minor,
            image: service.image,
            address: db.address,
            port: engine.port,
            volumeId: db.volume.id,
            nodes: db.cluster.nodes.map((n) => n.name),
            // Where `dbaas status` reads the cluster (through the bastion).
            nodeAddresses: pulumi.all(db.cluster.nodes.map((n) => n.address)).apply((a) => Object.fromEntries(db.cluster.nodes.map((n, i) => [n.name, a[i]]))),
            controlPlane: cfg.controlPlane,
            jobs: { ...service.jobIds, ...backups.jobIds },
            connection: service.connection,
            backups: { container: storage.containerName, secondary: secondary ? { authUrl: secondary.authUrl, region: secondary.region } : null, restoreDrillKey: backups.drillKey },
            backupKey: storage.backupKey,
        },
        artifacts: Object.fromEntries(artifacts),
    };
}

/** With `dbaas:restoreFrom`: what the configure job restores first (the source's container and key, on this stack's credentials). */
function restoreFirst(cfg: DatabaseConfig, instance: pulumi.Output<EngineInstance>, storage: BackupStorage): { restoreFirst?: { job: pulumi.Output<RestoreFirst>; items: pulumi.Output<Record<string, string>> } } {
    const from = cfg.restoreFrom;
    if (!from) return {};
    const engine = engineOf(cfg.engine);
    const job = pulumi.all([instance, storage.stores]).apply(([i, stores]): RestoreFirst => {
        const store = stores[from.cloud];
        if (!store) throw new Error(`dbaas:restoreFrom reads the ${from.cloud} cloud, which dbaas:backup does not name`);
        return {
            target: { spec: engine.backupSpec(i), image: i.version.image, version: i.version.minor, socketDir: i.paths?.socketDir ?? engine.socketDir, stores: { ...stores, [from.cloud]: { ...store, container: from.container } } },
            sourceDatabase: from.database ?? cfg.name, cloud: from.cloud, backup: from.backup, mountpoint: i.mountpoint, mark: `${engine.dataDir(i)}/.dbaas-restored`,
        };
    });
    return { restoreFirst: { job, items: sourceItems(storage, from.cloud, pulumi.secret(cfg.restoreKey ?? "")) } };
}
