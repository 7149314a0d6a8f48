import * as pulumi from "@pulumi/pulumi";
import { DatabaseConfig } from "../config/schema";
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

/** The database stack: the control plane it runs on, then (next issues) its cluster and engine. */
export function databaseStack(cfg: DatabaseConfig): StackDefinition {
    const cp = readControlPlane(cfg.controlPlane);
    return {
        outputs: {
            name: cfg.name,
            engine: cfg.engine,
            version: cfg.version,
            controlPlane: cfg.controlPlane,
            nomadAddress: cp.nomadAddress,
        },
        artifacts: {},
    };
}
