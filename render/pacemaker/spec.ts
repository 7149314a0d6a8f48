/**
 * The typed input of the Pacemaker generators: one database cluster ({@link ClusterSpec}), and
 * the profile that maps each role of the cluster to an agent. Validated by {@link validateClusterSpec}.
 *
 * Pure: only node built-ins.
 */
import { isIP } from "node:net";

/** One cluster member. */
export interface ClusterNode {
    /** Host name (DNS label); the corosync/pacemaker node name. */
    readonly name: string;
    /** Fixed IP address of the node's port (corosync ring 0 and pcsd address). */
    readonly address: string;
    /** Nova server UUID, used by fence_openstack to power-cycle this node. */
    readonly serverId: string;
}

/** Who is in the cluster: what corosync needs (no cloud id), so that it depends on nothing else. */
export interface Membership {
    /** Cluster name, a DNS label (e.g. "my-first-db"). */
    readonly clusterName: string;
    /** The 2 or 3 members, in order (node ids 1..n). */
    readonly nodes: readonly Pick<ClusterNode, "name" | "address">[];
}

/** Input of the generators: one database cluster. */
export interface ClusterSpec extends Membership {
    /** The 2 or 3 members. */
    readonly nodes: readonly ClusterNode[];
    /** Cinder volume UUID of the data volume. */
    readonly volumeId: string;
    /** Neutron floating IP UUID (the openstack-floating-ip agent's `ip_id`). */
    readonly floatingIpId: string;
    /** The floating IP address (the lab profile's IPaddr2 address; documentation in production). */
    readonly floatingIp: string;
    /** Subnet UUID of the nodes' ports (the openstack-floating-ip agent's `subnet_id`). */
    readonly subnetId: string;
    /** Absolute mountpoint of the data volume, e.g. /srv/my-first-db. */
    readonly mountpoint: string;
    /** File system of the data volume. */
    readonly fstype: "xfs" | "ext4";
    /** Name of the clouds.yaml entry written on the nodes, for the OpenStack agents and fence_openstack. */
    readonly cloud: string;
    /** How long the engine may take to stop cleanly, in seconds (docker's stop waits for it); default 120. */
    readonly engineStopSeconds?: number;
    /** Node preferred for the first start (score below the stickiness: no fail-back). */
    readonly preferredNode?: string;
    /** Which agents play the roles; default {@link openstackProfile}. */
    readonly profile?: Profile;
}

/** An agent and its instance parameters. */
export interface AgentSpec {
    /** Standard agent name: "ocf:heartbeat:Filesystem", "systemd:docker", or a fence agent "fence_openstack". */
    readonly agent: string;
    /** Instance parameters (name → value). */
    readonly params: Readonly<Record<string, string>>;
}

/** The roles of a database cluster: one fence device, one info clone, the group members in start order (format: the blank volume's file system, once). */
export type Role = "fence" | "info" | "volume" | "format" | "filesystem" | "ip" | "docker" | "nomad";

/** Maps every role to an agent with its parameters, computed from the (validated) spec. */
export interface Profile {
    /** Profile name, written in the script header. */
    readonly name: string;
    /** The agent of each role; `nomad` may return undefined (the group then ends with "docker"). */
    readonly agents: (spec: ClusterSpec) => Readonly<Record<Exclude<Role, "nomad">, AgentSpec>> & {
        readonly nomad?: AgentSpec;
    };
}

/** The Cinder volume as a KVM guest sees it: virtio serial = the first 20 characters of the volume id. */
export function cinderDevicePath(volumeId: string): string {
    return `/dev/disk/by-id/virtio-${volumeId.slice(0, 20)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function fail(field: string, why: string, value: unknown): never {
    throw new Error(`invalid ClusterSpec.${field}: ${why} (got ${JSON.stringify(value)})`);
}

/** Throws an Error naming the field for a broken membership; returns it unchanged otherwise. */
export function validateMembership<M extends Membership>(m: M): M {
    if (typeof m.clusterName !== "string" || !DNS_LABEL.test(m.clusterName)) {
        fail("clusterName", "must be a DNS label (lower-case letters, digits, '-', at most 63)", m.clusterName);
    }
    if (!Array.isArray(m.nodes) || m.nodes.length < 2 || m.nodes.length > 3) {
        fail("nodes", "must hold 2 or 3 nodes", Array.isArray(m.nodes) ? m.nodes.length : m.nodes);
    }
    const names = new Set<string>();
    const addresses = new Set<string>();
    m.nodes.forEach((n, i) => {
        if (typeof n.name !== "string" || !DNS_LABEL.test(n.name)) fail(`nodes[${i}].name`, "must be a DNS label", n.name);
        if (names.has(n.name)) fail(`nodes[${i}].name`, "duplicate node name", n.name);
        names.add(n.name);
        if (typeof n.address !== "string" || isIP(n.address) === 0) fail(`nodes[${i}].address`, "must be an IP address", n.address);
        if (addresses.has(n.address)) fail(`nodes[${i}].address`, "duplicate node address", n.address);
        addresses.add(n.address);
    });
    return m;
}

/** Throws an Error naming the field for any broken input; returns the spec unchanged otherwise. */
export function validateClusterSpec(spec: ClusterSpec): ClusterSpec {
    validateMembership(spec);
    const names = new Set(spec.nodes.map((n) => n.name));
    spec.nodes.forEach((n, i) => {
        if (typeof n.serverId !== "string" || !UUID.test(n.serverId)) fail(`nodes[${i}].serverId`, "must be a Nova server UUID", n.serverId);
    });
    for (const field of ["volumeId", "floatingIpId", "subnetId"] as const) {
        if (typeof spec[field] !== "string" || !UUID.test(spec[field])) fail(field, "must be a UUID", spec[field]);
    }
    if (typeof spec.floatingIp !== "string" || isIP(spec.floatingIp) === 0) fail("floatingIp", "must be an IP address", spec.floatingIp);
    if (
        typeof spec.mountpoint !== "string" ||
        !/^(\/[A-Za-z0-9_.-]+)+$/.test(spec.mountpoint) ||
        spec.mountpoint.split("/").some((p) => p === "." || p === "..")
    ) {
        fail("mountpoint", "must be an absolute path below / of [A-Za-z0-9_.-] segments", spec.mountpoint);
    }
    if (spec.fstype !== "xfs" && spec.fstype !== "ext4") fail("fstype", "must be xfs or ext4", spec.fstype);
    if (typeof spec.cloud !== "string" || !/^[A-Za-z0-9_.-]+$/.test(spec.cloud)) {
        fail("cloud", "must be a clouds.yaml entry name ([A-Za-z0-9_.-]+)", spec.cloud);
    }
    if (spec.engineStopSeconds !== undefined && (!Number.isInteger(spec.engineStopSeconds) || spec.engineStopSeconds < 10 || spec.engineStopSeconds > 3600)) {
        fail("engineStopSeconds", "must be a whole number of seconds from 10 to 3600", spec.engineStopSeconds);
    }
    if (spec.preferredNode !== undefined && !names.has(spec.preferredNode)) {
        fail("preferredNode", `unknown node, expected one of ${[...names].join(", ")}`, spec.preferredNode);
    }
    return spec;
}

