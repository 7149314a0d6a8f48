import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { applyScript, ClusterSpec, configureScript, setupScript } from "../render/pacemaker";
import { shellQuote } from "../common/shell";
import { SshTarget, sshConnection } from "./remoteFiles";
import { COMPONENT_TYPES } from "../common/tokens";

/** Arguments of {@link PacemakerCluster}. */
export interface PacemakerClusterArgs {
    /** The cluster, as the generator takes it (ids and addresses resolved). */
    readonly spec: pulumi.Input<ClusterSpec>;
    /** The first node, where setup and configuration run. */
    readonly firstNode: SshTarget;
    /** The hacluster password (secret; set on every node beforehand). */
    readonly haclusterPassword: pulumi.Input<string>;
    /** What must be done on every node first (cloud-init finished, files and password in place). */
    readonly nodesReady: pulumi.Input<pulumi.Resource>[];
}

/**
 * Brings the corosync + Pacemaker cluster to the declared membership from its first node (pcs
 * host auth; nodes no longer declared leave cleanly; corosync reloads the corosync.conf every
 * node received; every node started), then applies the generated configuration atomically (pcs
 * cluster cib, the generated script, pcs cluster cib-push of the difference). Setup re-runs when
 * its script or any server changes (a replaced server is started and joins); configure when its
 * script does (the fence map names the servers). Both are harmless when re-run.
 */
export class PacemakerCluster extends pulumi.ComponentResource {
    /** The cluster setup command. */
    public readonly setup: command.remote.Command;
    /** The configuration command (runs after setup). */
    public readonly configure: command.remote.Command;
    /** The generated setup script. */
    public readonly setupScript: pulumi.Output<string>;
    /** The generated configuration script (`pcs -f "$1" …`). */
    public readonly configureScript: pulumi.Output<string>;

    constructor(name: string, args: PacemakerClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.pacemakerCluster, name, {}, opts);
        const spec = pulumi.output(args.spec);
        this.setupScript = spec.apply((s) => setupScript(s as ClusterSpec));
        this.configureScript = spec.apply((s) => configureScript(s as ClusterSpec));
        const connection = sshConnection(args.firstNode);

        this.setup = new command.remote.Command(`${name}-setup`, {
            connection,
            // Runs as root; the password arrives on stdin, never on a command line.
            create: pulumi.interpolate`sudo bash -c ${this.setupScript.apply(shellQuote)}`,
            stdin: pulumi.secret(pulumi.interpolate`${args.haclusterPassword}\n`),
            // A replaced server (same name and address, new id) must be started: its id is a trigger.
            triggers: [this.setupScript, spec.apply((s) => (s as ClusterSpec).nodes.map((n) => n.serverId).join(" "))],
        }, { parent: this, dependsOn: args.nodesReady, additionalSecretOutputs: ["stdin"] });

        this.configure = new command.remote.Command(`${name}-configure`, {
            connection,
            create: pulumi.interpolate`sudo bash -c ${this.configureScript.apply((c) => shellQuote(applyScript(c)))}`,
            triggers: [this.configureScript],
        }, { parent: this, dependsOn: [this.setup] });

        this.registerOutputs({ configureScript: this.configureScript });
    }
}
