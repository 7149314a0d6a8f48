import * as pulumi from "@pulumi/pulumi";

/** What a stack program declares: its outputs, and the files it generates (for the offline plan). */
export interface StackDefinition {
    /** The stack outputs (`pulumi stack output`). */
    readonly outputs: Record<string, pulumi.Input<unknown>>;
    /** Generated files by path under `artifacts/`, every secret replaced by `[secret]`. */
    readonly artifacts: Readonly<Record<string, pulumi.Input<string>>>;
}
