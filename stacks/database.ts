import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { DatabaseConfig } from "../config";
import { engineOf, EngineInstance } from "../engines";
import { Database } from "../components/database";
import { EngineService } from "../components/engineService";
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
    const service = new EngineService(`${cfg.name}-engine`, {
        engine,
        accounts: { database: cfg.name, users: cfg.users },
        instance,
        placement: pulumi.all([cp.datacenter, cp.nomadRegion]).apply(([datacenter, region]) => ({ database: cfg.name, datacenter, region })),
        address: db.address,
        stack: pulumi.getStack(),
        nomadProvider: db.nomadProvider,
        consulProvider: db.consulProvider,
        clusterReady: [db.pacemaker.configure],
    }, { parent: db });
    const artifacts = new Map(Object.entries(db.artifacts.all));
    for (const [path, content] of Object.entries(service.artifacts.all)) artifacts.set(path, content);
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
            jobs: service.jobIds,
            connection: service.connection,
        },
        artifacts: Object.fromEntries(artifacts),
    };
}
