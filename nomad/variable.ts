import * as pulumi from "@pulumi/pulumi";
import { withPluginVersion } from "./plugin";

/** Arguments of a Nomad Variable (a subset of pulumi-nomad's `VariableArgs`). */
export interface VariableArgs {
    /** The variable's path, e.g. `nomad/jobs/<job id>` so that only that job's tasks can read it. */
    readonly path: pulumi.Input<string>;
    /** The variable's namespace (default `default`). */
    readonly namespace?: pulumi.Input<string>;
    /** The variable's items: always secret (they carry passwords). */
    readonly items: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A Nomad Variable (`nomad:index/variable:Variable`): how secrets reach jobs without a jobspec. */
export class Variable extends pulumi.CustomResource {
    /** @internal */
    public static readonly __pulumiType = "nomad:index/variable:Variable";

    /** Returns true if `obj` is a Nomad Variable, even across copies of the Pulumi SDK. */
    public static isInstance(obj: unknown): obj is Variable {
        return typeof obj === "object" && obj !== null && (obj as Record<string, unknown>)["__pulumiType"] === Variable.__pulumiType;
    }

    /** The variable's path. */
    declare public readonly path: pulumi.Output<string>;
    /** The variable's namespace. */
    declare public readonly namespace: pulumi.Output<string>;
    /** The variable's items (secret). */
    declare public readonly items: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: VariableArgs, opts?: pulumi.CustomResourceOptions) {
        const inputs: pulumi.Inputs = {
            path: args.path,
            namespace: args.namespace,
            items: pulumi.secret(args.items),
        };
        const secretOutputs: pulumi.CustomResourceOptions = { additionalSecretOutputs: ["items"] };
        super(Variable.__pulumiType, name, inputs, withPluginVersion(pulumi.mergeOptions(secretOutputs, opts ?? {})));
    }
}
