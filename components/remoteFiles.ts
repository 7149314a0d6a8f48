import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { DroppedFile, fileDropCommand, fileDropPayload } from "../render/fileDrop";

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
export interface RemoteFilesArgs {
    /** The machine to write on. */
    readonly target: SshTarget;
    /** The files (their content may be secret: the whole payload is kept secret). */
    readonly files: pulumi.Input<pulumi.Input<DroppedFile>[]>;
    /** systemd units to enable, and restart when a file changed. */
    readonly units?: readonly string[];
    /** Shell lines run after the files are installed (e.g. `sudo chpasswd < FILE`). */
    readonly afterInstall?: readonly string[];
}

/**
 * Files that carry secrets, written on a machine over SSH through the bastion — never in user
 * data. The payload travels on the command's standard input, a Pulumi secret; the command
 * prints nothing of it. It re-runs when the payload changes and is harmless when re-run.
 */
export class RemoteFiles extends pulumi.ComponentResource {
    /** The remote command (others depend on it to order their own steps). */
    public readonly command: command.remote.Command;

    constructor(name: string, args: RemoteFilesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dbaas:index:RemoteFiles", name, {}, opts);
        const payload = pulumi.secret(pulumi.output(args.files).apply((files) => fileDropPayload(files)));
        this.command = new command.remote.Command(`${name}-install`, {
            connection: sshConnection(args.target),
            create: fileDropCommand(args.units ?? [], args.afterInstall ?? []),
            stdin: payload,
            // Re-run when the files change (stdin is not compared on its own).
            triggers: [payload],
            logging: "stdoutAndStderr",
        }, { parent: this, additionalSecretOutputs: ["stdin"] });
        this.registerOutputs({ stdout: this.command.stdout });
    }
}
