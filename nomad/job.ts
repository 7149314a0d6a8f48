import * as pulumi from "@pulumi/pulumi";
import { withPluginVersion } from "./plugin";

/** Arguments of a Nomad job (a subset of pulumi-nomad's `JobArgs`). */
export interface JobArgs {
    /** The job specification: HCL, or JSON when `json` is true (Nomad's API field names, `{"Job": …}` or bare). */
    readonly jobspec: pulumi.Input<string>;
    /** The jobspec is JSON rather than HCL. */
    readonly json?: pulumi.Input<boolean>;
    /** Return as soon as the job is registered instead of waiting for its deployment. */
    readonly detach?: pulumi.Input<boolean>;
    /** Deregister the job when the resource is destroyed (default true). */
    readonly deregisterOnDestroy?: pulumi.Input<boolean>;
    /** Deregister the previous job when the job ID changes (default true). */
    readonly deregisterOnIdChange?: pulumi.Input<boolean>;
    /** Purge the job from Nomad's state on destroy instead of only stopping it. */
    readonly purgeOnDestroy?: pulumi.Input<boolean>;
    /** Override soft-mandatory Sentinel policies. */
    readonly policyOverride?: pulumi.Input<boolean>;
    /** Re-run a batch job that is dead or stopped on the next apply. */
    readonly rerunIfDead?: pulumi.Input<boolean>;
}

/** A Nomad job (`nomad:index/job:Job`). */
export class Job extends pulumi.CustomResource {
    /** @internal */
    public static readonly __pulumiType = "nomad:index/job:Job";

    /** Returns true if `obj` is a Nomad job, even across copies of the Pulumi SDK. */
    public static isInstance(obj: unknown): obj is Job {
        return typeof obj === "object" && obj !== null && (obj as Record<string, unknown>)["__pulumiType"] === Job.__pulumiType;
    }

    /** The job's name, as read from the jobspec. */
    declare public readonly name: pulumi.Output<string>;
    /** The job's namespace. */
    declare public readonly namespace: pulumi.Output<string>;
    /** The job's type (service, batch, system, sysbatch). */
    declare public readonly type: pulumi.Output<string>;
    /** The job's modify index after registration. */
    declare public readonly modifyIndex: pulumi.Output<string>;
    /** The job's datacenters, as read from the jobspec. */
    declare public readonly datacenters: pulumi.Output<string[]>;

    constructor(name: string, args: JobArgs, opts?: pulumi.CustomResourceOptions) {
        const inputs: pulumi.Inputs = {
            jobspec: args.jobspec,
            json: args.json,
            detach: args.detach,
            deregisterOnDestroy: args.deregisterOnDestroy,
            deregisterOnIdChange: args.deregisterOnIdChange,
            purgeOnDestroy: args.purgeOnDestroy,
            policyOverride: args.policyOverride,
            rerunIfDead: args.rerunIfDead,
            name: undefined,
            namespace: undefined,
            type: undefined,
            modifyIndex: undefined,
            datacenters: undefined,
        };
        super(Job.__pulumiType, name, inputs, withPluginVersion(opts));
    }
}
