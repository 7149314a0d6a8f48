import * as pulumi from "@pulumi/pulumi";
import { DatabaseConfig, ENGINE_PORTS } from "../config/schema";
import { Database } from "../components/database";
import { CONTROL_PLANE_OUTPUTS, ControlPlaneOutputName } from "./contract";
import { StackDefinition } from "./types";

/** The control plane's outputs, read through a StackReference (secrets stay secrets). */
export type ControlPlaneRef = { readonly [K in ControlPlaneOutputName]: pulumi.Output<unknown> };

/** Reads every control-plane output the contract lists; secret ones come back as secrets. */
export function readControlPlane(stackName: string): ControlPlaneRef {
    const ref = new pulumi.StackReference("control-plane", { name: stackName });
    const entries = (Object.keys(CONTROL_PLANE_OUTPUTS) as ControlPlaneOutputName[]).map((key) => {
        const value = ref.requireOutput(key);
        return [key, CONTROL_PLANE_OUTPUTS[key].secret ? pulumi.secret(value) : value] as const;
    });
    return Object.fromEntries(entries) as ControlPlaneRef;
}

/** The database stack: the control plane it runs on, its data, its cluster (engine jobs come next). */
export function databaseStack(cfg: DatabaseConfig): StackDefinition {
    const cp = readControlPlane(cfg.controlPlane);
    const db = new Database(cfg.name, {
        name: cfg.name,
        enginePort: ENGINE_PORTS[cfg.engine],
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
        controlPlane: {
            consulAddress: cp.consulAddress as pulumi.Output<string>,
            consulToken: cp.consulToken as pulumi.Output<string>,
            consulGossipKey: cp.consulGossipKey as pulumi.Output<string>,
            datacenter: cp.datacenter as pulumi.Output<string>,
            nomadRegion: cp.nomadRegion as pulumi.Output<string>,
            serverAddresses: cp.serverAddresses as pulumi.Output<string[]>,
            networkId: cp.networkId as pulumi.Output<string>,
            subnetId: cp.subnetId as pulumi.Output<string>,
            subnetCidr: cp.subnetCidr as pulumi.Output<string>,
            bastionAddress: cp.bastionAddress as pulumi.Output<string>,
            bastionSecurityGroupId: cp.bastionSecurityGroupId as pulumi.Output<string>,
            serverSecurityGroupId: cp.serverSecurityGroupId as pulumi.Output<string>,
            sshUser: cp.sshUser as pulumi.Output<string>,
            sshPrivateKey: cp.sshPrivateKey as pulumi.Output<string>,
            keyPairName: cp.keyPairName as pulumi.Output<string>,
            caCertPem: cp.caCertPem as pulumi.Output<string>,
            caPrivateKeyPem: cp.caPrivateKeyPem as pulumi.Output<string>,
            consulVersion: cp.consulVersion as pulumi.Output<string>,
            nomadVersion: cp.nomadVersion as pulumi.Output<string>,
        },
    });
    return {
        outputs: {
            name: cfg.name,
            engine: cfg.engine,
            version: cfg.version,
            address: db.address,
            port: ENGINE_PORTS[cfg.engine],
            volumeId: db.volume.id,
            nodes: db.cluster.nodes.map((n) => n.name),
        },
        artifacts: db.artifacts,
    };
}
