/**
 * cloud-init user data, as pure functions of typed values. User data is readable by any process
 * on the VM (and any container on it) through the metadata service: nothing here may carry a
 * secret. Secrets reach the machines over SSH (see fileDrop.ts).
 */
import { stringify } from "yaml";
import { FILE_DROP_INSTALLER, FILE_DROP_PATH } from "./fileDrop";
import { jsonFile } from "./json";
import { databaseNodeServiceFiles } from "./databaseNode";
import { jobId } from "../jobs/ids";
import { DESTROY_PACKAGED_CLUSTER, FORMAT_AGENT_PATH, FORMAT_AGENT_SCRIPT, UNATTENDED_UPGRADES_BLACKLIST_PATH, unattendedUpgradesBlacklist } from "./pacemaker";

/** HashiCorp's apt repository and the fingerprint of its signing key. */
export const HASHICORP_APT = {
    source: "deb [signed-by=$KEY_FILE] https://apt.releases.hashicorp.com $RELEASE main",
    keyid: "798AEC654E5C15428C8E42EEAA16FCBCA621E701",
} as const;

/** A file cloud-init writes (never a secret). */
export interface WriteFile {
    /** Absolute path on the machine. */
    readonly path: string;
    /** File content. */
    readonly content: string;
    /** Octal mode, e.g. "0644". */
    readonly permissions: string;
    /** "user:group". */
    readonly owner?: string;
    /** Write after the packages are installed (their users exist then). */
    readonly defer?: boolean;
}

/** The subset of cloud-config we generate (cloud-init's module keys, checked by `cloud-init schema`). */
export interface CloudConfig {
    readonly hostname: string;
    readonly fqdn?: string;
    readonly manage_etc_hosts?: boolean;
    readonly ssh_pwauth?: boolean;
    readonly disable_root?: boolean;
    readonly package_update?: boolean;
    readonly package_upgrade?: boolean;
    readonly apt?: { readonly sources?: Readonly<Record<string, { readonly source: string; readonly keyid: string }>> };
    readonly packages?: readonly (string | readonly [string, string])[];
    readonly write_files?: readonly WriteFile[];
    readonly runcmd?: readonly (readonly string[])[];
}

/** Renders a cloud-config document: the `#cloud-config` header, then YAML. */
export function renderCloudConfig(config: CloudConfig): string {
    return `#cloud-config\n${stringify(config, { lineWidth: 0 })}`;
}

/** sshd settings of every machine: keys only, no root; forwarding stays on (ProxyJump needs it). */
export const SSHD_HARDENING = [
    "# Managed by cloud-dbaas",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PermitRootLogin no",
    "X11Forwarding no",
    "",
].join("\n");

/** What every machine's user data starts with: its name, keys-only SSH, no root login, fresh package lists. */
export function machineBase(hostname: string): Pick<CloudConfig, "hostname" | "manage_etc_hosts" | "ssh_pwauth" | "disable_root" | "package_update"> {
    return { hostname, manage_etc_hosts: true, ssh_pwauth: false, disable_root: true, package_update: true };
}

/** Files every machine gets: sshd hardening and the installer of files sent over SSH. */
export function baseFiles(): WriteFile[] {
    return [
        { path: "/etc/ssh/sshd_config.d/50-dbaas.conf", content: SSHD_HARDENING, permissions: "0644" },
        { path: FILE_DROP_PATH, content: FILE_DROP_INSTALLER, permissions: "0755" },
    ];
}

/** The Consul and Nomad agent configurations (no secret), written once their packages exist. */
export function agentConfigFiles(consulConfig: object, nomadConfig: object): WriteFile[] {
    return [
        { path: "/etc/consul.d/consul.json", content: jsonFile(consulConfig), permissions: "0640", owner: "consul:consul", defer: true },
        { path: "/etc/nomad.d/nomad.json", content: jsonFile(nomadConfig), permissions: "0640", owner: "root:root", defer: true },
    ];
}

/** What the bastion's user data needs. */
export interface BastionUserDataArgs {
    /** Host name. */
    readonly hostname: string;
}

/** User data of the bastion: a hardened SSH jump host and nothing else. */
export function bastionUserData(args: BastionUserDataArgs): string {
    return renderCloudConfig({
        ...machineBase(args.hostname),
        package_upgrade: true,
        packages: ["unattended-upgrades", "python3"],
        write_files: baseFiles(),
        runcmd: [["systemctl", "reload", "ssh"]],
    });
}

/** What a machine running Consul and Nomad agents (a server, or a database node) needs in its user data. */
export interface ServerUserDataArgs {
    /** Host name (on a database node, also the Pacemaker node name). */
    readonly hostname: string;
    /** Consul version to install from HashiCorp's repository (x.y.z): the control plane's. */
    readonly consulVersion: string;
    /** Nomad version to install from HashiCorp's repository (x.y.z): the control plane's. */
    readonly nomadVersion: string;
    /** Consul's agent configuration (no secret in it). */
    readonly consulConfig: object;
    /** Nomad's agent configuration (no secret in it). */
    readonly nomadConfig: object;
}

/** What a machine of one kind adds to an agent machine's user data. */
interface AgentMachineParts {
    /** Its packages (Consul, Nomad, python3 and unattended-upgrades come with every one). */
    readonly packages: readonly string[];
    /** Its files, besides the base files and the agents' configurations. */
    readonly files: readonly WriteFile[];
    /** Its boot commands, after the packages' example configs are removed and before sshd reloads. */
    readonly runcmd: readonly (readonly string[])[];
}

/** User data of a machine running Consul and Nomad agents from HashiCorp's repository, with its own parts. */
function agentMachineUserData(args: ServerUserDataArgs, own: AgentMachineParts): string {
    return renderCloudConfig({
        ...machineBase(args.hostname),
        apt: { sources: { hashicorp: HASHICORP_APT } },
        packages: [...own.packages, "python3", "unattended-upgrades", ["consul", `${args.consulVersion}-1`], ["nomad", `${args.nomadVersion}-1`]],
        write_files: [...baseFiles(), ...agentConfigFiles(args.consulConfig, args.nomadConfig), ...own.files],
        runcmd: [
            // The packages ship example configs that would be merged with ours.
            ["rm", "-f", "/etc/consul.d/consul.hcl", "/etc/nomad.d/nomad.hcl"],
            ...own.runcmd,
            ["systemctl", "reload", "ssh"],
        ],
    });
}

/**
 * User data of a control-plane server: Consul and Nomad installed and configured, but left
 * stopped — they start once their secrets (gossip keys, tokens, TLS key) arrive over SSH.
 */
export function serverUserData(args: ServerUserDataArgs): string {
    return agentMachineUserData(args, {
        packages: [],
        files: [],
        // Started by the secrets delivery, not before: without its keys an agent must not run.
        runcmd: [["systemctl", "disable", "--now", "consul", "nomad"]],
    });
}

/** What a database node's user data needs: a server's (with the control plane's versions and client configs), and the database's. */
export interface DatabaseNodeUserDataArgs extends ServerUserDataArgs {
    /** The database's name. */
    readonly database: string;
    /** Mountpoint of the data volume (created empty; Pacemaker mounts the volume there). */
    readonly mountpoint: string;
    /** How long the engine may take to stop cleanly, in seconds (docker waits that long). */
    readonly engineStopSeconds: number;
}

/**
 * User data of a database cluster node: Pacemaker, pcs, corosync and the resource and fence
 * agents (with the OpenStack client they call), our agent that formats the blank volume once,
 * docker and the Nomad and Consul clients. docker and nomad stay disabled at boot — Pacemaker
 * starts them where it runs the group, next to the mounted volume. Consul starts once its token
 * arrives over SSH. The corosync package's default cluster is destroyed at first boot (while its
 * corosync.conf is untouched), and unattended-upgrades never upgrades the cluster stack
 * (render/pacemaker/packaged.ts).
 */
export function databaseNodeUserData(args: DatabaseNodeUserDataArgs): string {
    return agentMachineUserData(args, {
        packages: ["pacemaker", "pcs", "corosync", "fence-agents", "resource-agents", "python3-openstackclient", "docker.io", "xfsprogs", "jq"],
        files: [
            ...databaseNodeServiceFiles({ database: args.database, mountpoint: args.mountpoint, engineJobId: jobId(args.database, "engine"), engineStopSeconds: args.engineStopSeconds }),
            { path: FORMAT_AGENT_PATH, content: FORMAT_AGENT_SCRIPT, permissions: "0755" },
            { path: UNATTENDED_UPGRADES_BLACKLIST_PATH, content: unattendedUpgradesBlacklist(), permissions: "0644" },
        ],
        runcmd: [
            // Debian's corosync package set up and started a cluster "debian": not ours.
            ["sh", "-c", DESTROY_PACKAGED_CLUSTER],
            ["mkdir", "-p", args.mountpoint],
            ["systemd-tmpfiles", "--create", "/etc/tmpfiles.d/dbaas-socket.conf"],
            ["systemctl", "daemon-reload"],
            // Pacemaker alone starts these, on the node that holds the volume.
            ["systemctl", "disable", "--now", "docker.service", "docker.socket", "nomad.service"],
            // Started with its token, over SSH.
            ["systemctl", "disable", "--now", "consul.service"],
            ["systemctl", "enable", "--now", "pcsd.service"],
        ],
    });
}
