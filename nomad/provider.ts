import * as pulumi from "@pulumi/pulumi";
import { withPluginVersion } from "./plugin";

/** Arguments of the Nomad provider (a subset of pulumi-nomad's `ProviderArgs`). */
export interface ProviderArgs {
    /** HTTP(S) address of the Nomad API, protocol included (e.g. `https://10.42.0.10:4646`). */
    readonly address: pulumi.Input<string>;
    /** Nomad region to target. */
    readonly region?: pulumi.Input<string>;
    /** ACL token the provider authenticates with (a secret). */
    readonly secretId?: pulumi.Input<string>;
    /** PEM-encoded certificate authority that signed the Nomad API's certificate. */
    readonly caPem?: pulumi.Input<string>;
    /** PEM-encoded client certificate for mutual TLS. */
    readonly certPem?: pulumi.Input<string>;
    /** PEM-encoded private key of the client certificate (a secret). */
    readonly keyPem?: pulumi.Input<string>;
    /** Skip TLS verification of the Nomad API (never in production). */
    readonly skipVerify?: pulumi.Input<boolean>;
}

/** The pulumi-nomad provider resource (`pulumi:providers:nomad`). */
export class Provider extends pulumi.ProviderResource {
    /** @internal */
    public static readonly __pulumiType = "nomad";

    /** Returns true if `obj` is a Nomad provider, even across copies of the Pulumi SDK. */
    public static isInstance(obj: unknown): obj is Provider {
        return typeof obj === "object" && obj !== null && (obj as Record<string, unknown>)["__pulumiType"] === Provider.__pulumiType;
    }

    /** The Nomad API address. */
    declare public readonly address: pulumi.Output<string | undefined>;
    /** The Nomad region. */
    declare public readonly region: pulumi.Output<string | undefined>;

    constructor(name: string, args: ProviderArgs, opts?: pulumi.ResourceOptions) {
        const inputs: pulumi.Inputs = {
            address: args.address,
            region: args.region,
            caPem: args.caPem,
            certPem: args.certPem,
            // Secrets stay secrets in the state and in every log, whatever the caller passed.
            secretId: args.secretId === undefined ? undefined : pulumi.secret(args.secretId),
            keyPem: args.keyPem === undefined ? undefined : pulumi.secret(args.keyPem),
            // Provider inputs that are not strings travel JSON-encoded.
            skipVerify: args.skipVerify === undefined ? undefined : pulumi.output(args.skipVerify).apply((v) => JSON.stringify(v)),
        };
        super(Provider.__pulumiType, name, inputs, withPluginVersion(opts));
    }
}
