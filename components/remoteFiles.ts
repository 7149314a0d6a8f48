import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { fileDropCommand, fileDropPayload } from "../render/fileDrop";
import { MachineFiles, reviewerCopy } from "../render/machineFiles";
import { COMPONENT_TYPES } from "../common/tokens";

/** How to reach a machine over SSH through the bastion. */
export interface SshTarget {
    /** The machine's private address. */
    readonly host: pulumi.Input<string>;
    /** Login user. */
    readonly user: pulumi.Input<string>;
    /** The platform's SSH private key (a secret). */
    readonly privateKey: pulumi.Input<string>;
    /** The bastion's public address: the only SSH entry. */
    readonly bastion: pulumi.Input<string>;
}

/** The @pulumi/command connection to a machine behind the bastion. */
export function sshConnection(target: SshTarget): command.types.input.remote.ConnectionArgs {
    const privateKey = pulumi.secret(target.privateKey);
    return {
        host: target.host,
        user: target.user,
        privateKey,
        // Machines boot for a while before sshd answers.
        dialErrorLimit: 60,
        perDialTimeout: 10,
        proxy: { host: target.bastion, user: target.user, privateKey, dialErrorLimit: 60, perDialTimeout: 10 },
    };
}

/** Arguments of {@link RemoteFiles}. */
export interface RemoteFilesArgs<V> {
    /** The machine to write on. */
    readonly target: SshTarget;
    /** The generator of the machine's files (render/machineFiles.ts): which values are secrets, and the files. */
    readonly files: MachineFiles<V>;
    /** The values the files are built from, secrets included. */
    readonly values: { readonly [K in keyof V]: pulumi.Input<V[K]> };
    /** systemd units to enable, and restart when a file changed. */
    readonly units?: readonly string[];
    /** Shell lines run after the files are installed. */
    readonly afterInstall?: readonly string[];
    /** Also re-run when these change (e.g. the server's id: a replaced server needs its files again). */
    readonly rerunOn?: readonly pulumi.Input<string>[];
}

/**
 * Files that carry secrets, written on a machine over SSH through the bastion — never in user
 * data. The payload travels on the command's standard input, a Pulumi secret; the command
 * prints nothing of it. It re-runs when the payload changes (or what `rerunOn` names) and is
 * harmless when re-run. The
 * same generator gives the reviewer's copy, every secret replaced by `[secret]`.
 */
export class RemoteFiles<V> extends pulumi.ComponentResource {
    /** The remote command (others depend on it to order their own steps). */
    public readonly command: command.remote.Command;
    /** The files as a reviewer reads them (the offline plan's `ssh/<machine>.json`): no secret in it. */
    public readonly reviewerCopy: pulumi.Output<string>;

    constructor(name: string, args: RemoteFilesArgs<V>, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.remoteFiles, name, {}, opts);
        const all = pulumi.output(args.values as Record<string, pulumi.Input<unknown>>) as pulumi.Output<unknown> as pulumi.Output<V>;
        const payload = pulumi.secret(all.apply((values) => fileDropPayload(args.files.build(values))));
        // Only the public values feed the reviewer's copy, so it is not a secret itself.
        const secret = new Set<PropertyKey>(args.files.secretFields);
        const publicValues = Object.fromEntries(Object.entries(args.values as Record<string, unknown>).filter(([field]) => !secret.has(field)));
        this.reviewerCopy = pulumi.output(publicValues).apply((values) => reviewerCopy(args.files, values as unknown as V));
        this.command = new command.remote.Command(`${name}-install`, {
            connection: sshConnection(args.target),
            create: fileDropCommand(args.units ?? [], args.afterInstall ?? []),
            stdin: payload,
            // Re-run when the files change (stdin is not compared on its own), or the machine was replaced.
            triggers: [payload, ...(args.rerunOn ?? [])],
            logging: "stdoutAndStderr",
        }, { parent: this, additionalSecretOutputs: ["stdin"] });
        this.registerOutputs({ stdout: this.command.stdout });
    }
}
