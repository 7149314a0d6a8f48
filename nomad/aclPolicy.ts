import * as pulumi from "@pulumi/pulumi";
import { withPluginVersion } from "./plugin";

/** Arguments of a Nomad ACL policy (a subset of pulumi-nomad's `AclPolicyArgs`). */
export interface AclPolicyArgs {
    /** The policy's unique name. */
    readonly name: pulumi.Input<string>;
    /** The policy's rules, in HCL. */
    readonly rulesHcl: pulumi.Input<string>;
    /** What the policy is for. */
    readonly description?: pulumi.Input<string>;
}

/** A Nomad ACL policy (`nomad:index/aclPolicy:AclPolicy`). */
export class AclPolicy extends pulumi.CustomResource {
    /** @internal */
    public static readonly __pulumiType = "nomad:index/aclPolicy:AclPolicy";

    /** Returns true if `obj` is a Nomad ACL policy, even across copies of the Pulumi SDK. */
    public static isInstance(obj: unknown): obj is AclPolicy {
        return typeof obj === "object" && obj !== null && (obj as Record<string, unknown>)["__pulumiType"] === AclPolicy.__pulumiType;
    }

    /** The policy's name. */
    declare public readonly name: pulumi.Output<string>;
    /** The policy's rules. */
    declare public readonly rulesHcl: pulumi.Output<string>;

    constructor(name: string, args: AclPolicyArgs, opts?: pulumi.CustomResourceOptions) {
        const inputs: pulumi.Inputs = { name: args.name, rulesHcl: args.rulesHcl, description: args.description };
        super(AclPolicy.__pulumiType, name, inputs, withPluginVersion(opts));
    }
}
