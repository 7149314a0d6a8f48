import * as pulumi from "@pulumi/pulumi";
import { DatabaseConfig } from "../config";
import { engineOf } from "../engines";
import { Database } from "../components/database";
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

/** The database stack: the control plane it runs on, its data, its cluster (engine jobs come next). */
export function databaseStack(cfg: DatabaseConfig): StackDefinition {
    const cp = readControlPlane(cfg.controlPlane);
    const db = new Database(cfg.name, {
        name: cfg.name,
        enginePort: engineOf(cfg.engine).port,
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
        controlPlane: cp,
    });
    return {
        outputs: {
            name: cfg.name,
            engine: cfg.engine,
            version: cfg.version,
            address: db.address,
            port: engineOf(cfg.engine).port,
            volumeId: db.volume.id,
            nodes: db.cluster.nodes.map((n) => n.name),
        },
        artifacts: db.artifacts.all,
    };
}
