import * as pulumi from "@pulumi/pulumi";
import { withPluginVersion } from "./plugin";

/** Arguments of a Nomad ACL token (a subset of pulumi-nomad's `AclTokenArgs`). */
export interface AclTokenArgs {
    /** `client` (bound to policies) or `management` (everything: avoid). */
    readonly type: pulumi.Input<"client" | "management">;
    /** A human-readable name. */
    readonly name?: pulumi.Input<string>;
    /** The policies a client token carries. */
    readonly policies?: pulumi.Input<pulumi.Input<string>[]>;
    /** Replicate the token to every region. */
    readonly global?: pulumi.Input<boolean>;
}

/** A Nomad ACL token (`nomad:index/aclToken:AclToken`); its `secretId` is a secret. */
export class AclToken extends pulumi.CustomResource {
    /** @internal */
    public static readonly __pulumiType = "nomad:index/aclToken:AclToken";

    /** Returns true if `obj` is a Nomad ACL token, even across copies of the Pulumi SDK. */
    public static isInstance(obj: unknown): obj is AclToken {
        return typeof obj === "object" && obj !== null && (obj as Record<string, unknown>)["__pulumiType"] === AclToken.__pulumiType;
    }

    /** The token's public identifier. */
    declare public readonly accessorId: pulumi.Output<string>;
    /** The token itself (secret). */
    declare public readonly secretId: pulumi.Output<string>;

    constructor(name: string, args: AclTokenArgs, opts?: pulumi.CustomResourceOptions) {
        const inputs: pulumi.Inputs = {
            type: args.type,
            name: args.name,
            policies: args.policies,
            global: args.global,
            accessorId: undefined,
            secretId: undefined,
        };
        const secretOutputs: pulumi.CustomResourceOptions = { additionalSecretOutputs: ["secretId"] };
        super(AclToken.__pulumiType, name, inputs, withPluginVersion(pulumi.mergeOptions(secretOutputs, opts ?? {})));
    }
}
