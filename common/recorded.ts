/**
 * The shape of one resource registration as the offline plan records it (plan/recorder.ts)
 * and the policy tests read it (policy/adapt.ts). Pure: no Pulumi import.
 */

/** One resource registration, as the Pulumi engine would receive it. */
export interface RecordedResource {
    /** Type token, e.g. `openstack:compute/instance:Instance`. */
    readonly type: string;
    /** Logical name. */
    readonly name: string;
    /** The resource's URN under the mock runtime. */
    readonly urn: string;
    /** The parent's URN (the stack's root has none). */
    readonly parent?: string;
    /** URNs of explicit and input dependencies. */
    readonly dependsOn: string[];
    /** `protect` resource option. */
    readonly protect: boolean;
    /** `retainOnDelete` resource option. */
    readonly retainOnDelete: boolean;
    /** `ignoreChanges` resource option. */
    readonly ignoreChanges: string[];
    /** `deleteBeforeReplace` resource option (a replacement deletes the old resource first). */
    readonly deleteBeforeReplace: boolean;
    /** Its former identities (`aliases` option): a resource that moved keeps its URN's history, and is not replaced. */
    readonly aliases: string[];
    /** Property names whose outputs the engine stores as secrets. */
    readonly additionalSecretOutputs: string[];
    /** Inputs, with every secret replaced by `[secret]`. */
    readonly inputs: Record<string, unknown>;
    /** Inputs with secrets in clear: for tests and the policy checks only, never written anywhere. */
    readonly rawInputs: Record<string, unknown>;
    /** Whether this is a custom (cloud) resource rather than a component. */
    readonly custom: boolean;
}
