/**
 * Pure generator of the Pacemaker configuration of one database cluster.
 *
 * API
 * - {@link ClusterSpec}, {@link ClusterNode}: the typed input (validated by {@link validateClusterSpec}).
 * - {@link Profile}, {@link AgentSpec}, {@link Role}: which agent (and parameters) plays each role.
 *   {@link openstackProfile} is the production default; {@link labProfile} builds the stand-ins
 *   for the failover drill on namespace clusters.
 * - {@link configureScript}(spec): bash that edits an offline CIB file (`pcs -f "$1" ...`).
 * - {@link setupScript}(spec): bash run on the first node that authenticates the nodes,
 *   creates (once) and starts the corosync/pacemaker cluster; the hacluster password on stdin.
 * - {@link clusterSetupArgs}(spec): the `pcs` argv of `cluster setup` (append
 *   `--corosync_conf FILE` to write corosync.conf offline with the very same settings).
 * - {@link COROSYNC_TIMINGS}, {@link RESOURCE_IDS}, {@link OPERATIONS}, {@link RESOURCE_DEFAULTS},
 *   {@link CLUSTER_PROPERTIES}: the shared constants, exported for tests and the drill.
 *
 * Everything but the agents and their parameters (group order, constraints, stickiness,
 * timeouts, cluster properties) is shared code: a profile only maps roles to agents.
 *
 * No Pulumi import: only node built-ins.
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

/** Input of the generators: one database cluster. */
export interface ClusterSpec {
    /** Cluster name, a DNS label (e.g. "my-first-db"). */
    readonly clusterName: string;
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

/** The roles of a database cluster: one fence device, one info clone, the group members in start order. */
export type Role = "fence" | "info" | "volume" | "filesystem" | "ip" | "docker" | "nomad";

/** Maps every role to an agent with its parameters, computed from the (validated) spec. */
export interface Profile {
    /** Profile name, written in the script header. */
    readonly name: string;
    /** The agent of each role; `nomad` may return undefined (the group then ends with "docker"). */
    readonly agents: (spec: ClusterSpec) => Readonly<Record<Exclude<Role, "nomad">, AgentSpec>> & {
        readonly nomad?: AgentSpec;
    };
}

/** Resource ids, named after the role (not the agent), identical in every profile. */
export const RESOURCE_IDS = {
    fence: "fence-nodes",
    info: "cloud-info",
    infoClone: "cloud-info-clone",
    group: "database",
    volume: "data-volume",
    filesystem: "data-fs",
    ip: "service-ip",
    docker: "docker",
    nomad: "nomad",
} as const;

/** Group members in start order (nomad is dropped when the profile has none). */
export const GROUP_ROLES = ["volume", "filesystem", "ip", "docker", "nomad"] as const;

/**
 * Operation settings per role (pcs `op` syntax). Shared by every profile.
 * - The OpenStack agents go through Keystone + Cinder/Neutron: an attach or detach under a busy
 *   API takes minutes (the agents' own advertised defaults are 180 s), so volume start/stop
 *   get 300 s and the ip and info 180 s; their monitors call the API too, hence 180 s timeouts
 *   every 60 s (more often would only load the API).
 * - Stop of the volume and of the file system: on-fail=fence. A volume whose unmount or detach
 *   failed may still be written to by this node: the only safe way to start it elsewhere is to
 *   power this node off first (it is also Pacemaker's default with stonith enabled; written
 *   out so nobody "relaxes" it to block/ignore).
 * - Filesystem start 120 s: XFS log replay / ext4 journal recovery after a fence.
 * - docker/nomad: systemd units, 120 s to start/stop (nomad drains allocations on stop).
 * - fence device: fence_openstack's monitor lists servers through the Nova API.
 */
export const OPERATIONS: Readonly<Record<Role, string>> = {
    fence: "monitor interval=60s timeout=120s start interval=0s timeout=120s",
    info: "monitor interval=60s timeout=180s start interval=0s timeout=180s stop interval=0s timeout=180s",
    volume: "monitor interval=60s timeout=180s start interval=0s timeout=300s stop interval=0s timeout=300s on-fail=fence",
    filesystem: "monitor interval=20s timeout=60s start interval=0s timeout=120s stop interval=0s timeout=120s on-fail=fence",
    ip: "monitor interval=60s timeout=180s start interval=0s timeout=180s stop interval=0s timeout=180s",
    docker: "monitor interval=30s timeout=60s start interval=0s timeout=120s stop interval=0s timeout=120s",
    nomad: "monitor interval=30s timeout=60s start interval=0s timeout=120s stop interval=0s timeout=120s",
};

/**
 * Resource defaults.
 * - resource-stickiness=100: the group (sum of its members: 500) stays where it runs; a node
 *   coming back never pulls it back (a move means detach/attach and a database restart).
 * - migration-threshold=3 + failure-timeout=10min: a flapping monitor restarts in place up to
 *   3 times, then the group moves; the failure count expires so a node is not banned forever.
 */
export const RESOURCE_DEFAULTS = {
    "resource-stickiness": "100",
    "migration-threshold": "3",
    "failure-timeout": "10min",
} as const;

/** Score of {@link ClusterSpec.preferredNode}: below the stickiness, so it only places the first start. */
export const PREFERRED_NODE_SCORE = 50;

/** Priority of the group: used by priority-fencing-delay so the node holding it wins a fence race. */
export const GROUP_PRIORITY = 10;

/**
 * Cluster properties.
 * - stonith-enabled=true: nothing moves before the lost node is powered off.
 * - no-quorum-policy=stop: a partition without quorum stops its resources; the quorate side
 *   fences it before starting anything (2 nodes keep quorum through corosync two_node).
 * - priority-fencing-delay=15s: in a 2-node split both nodes shoot; the one running the
 *   group (priority {@link GROUP_PRIORITY}) gets a head start and survives.
 */
export const CLUSTER_PROPERTIES = {
    "stonith-enabled": "true",
    "no-quorum-policy": "stop",
    "priority-fencing-delay": "15s",
} as const;

/** fence_openstack reboots through the Nova API (off, wait, on): longer than the 60 s default. */
export const FENCE_REBOOT_TIMEOUT = "240s";

/** Corosync totem timings (consensus must be at least 1.2 x token). */
export interface CorosyncTimings {
    /** Token timeout: how long a silent node has before it is declared lost (ms). */
    readonly tokenMs: number;
    /** Consensus timeout: how long membership agreement may take after a token loss (ms). */
    readonly consensusMs: number;
}

/**
 * Corosync totem timings used by {@link setupScript} and {@link clusterSetupArgs}, chosen with
 * the failover drill (lab/README.md): a lost node is detected in about token + consensus
 * (~11 s here, ~22 s with 10 s/12 s), and a guest paused up to 6.5 s (live migration, a noisy
 * neighbour) was survived, where corosync's default 3 s token fenced a node frozen for 5 s.
 * CPU load on both cores caused no false failover even with a 1 s token (corosync runs
 * real-time); frozen guests are what these values guard against.
 */
export const COROSYNC_TIMINGS: CorosyncTimings = {
    tokenMs: 5000,
    consensusMs: 6000,
};

/** Production profile: the OpenStack resource agents and fence_openstack, authenticated by `cloud`. */
export const openstackProfile: Profile = {
    name: "openstack",
    agents: (spec) => ({
        fence: {
            agent: "fence_openstack",
            params: {
                cloud: spec.cloud,
                pcmk_host_map: spec.nodes.map((n) => `${n.name}:${n.serverId}`).join(";"),
                pcmk_reboot_timeout: FENCE_REBOOT_TIMEOUT,
            },
        },
        info: { agent: "ocf:heartbeat:openstack-info", params: { cloud: spec.cloud } },
        volume: {
            agent: "ocf:heartbeat:openstack-cinder-volume",
            params: { cloud: spec.cloud, volume_id: spec.volumeId },
        },
        filesystem: {
            agent: "ocf:heartbeat:Filesystem",
            params: { device: cinderDevicePath(spec.volumeId), directory: spec.mountpoint, fstype: spec.fstype },
        },
        ip: {
            agent: "ocf:heartbeat:openstack-floating-ip",
            params: { cloud: spec.cloud, ip_id: spec.floatingIpId, subnet_id: spec.subnetId },
        },
        docker: { agent: "systemd:docker", params: {} },
        nomad: { agent: "systemd:nomad", params: {} },
    }),
};

/** Options of {@link labProfile}: everything the namespace lab supplies. */
export interface LabProfileOptions {
    /** Block device holding the test file system (e.g. a loop device, "/dev/loop7"). */
    readonly blockDevice: string;
    /** Interface carrying the service IP inside each node (e.g. "eth0"). */
    readonly nic: string;
    /** Prefix length of the service IP (e.g. 24). */
    readonly cidrNetmask: number;
    /** Fence device: agent and parameters, e.g. fence_dummy or a custom lab agent (add pcmk_host_list etc. yourself). */
    readonly fence: AgentSpec;
    /** The probe-able service standing in for "docker" (e.g. ocf:heartbeat:anything or ocf:heartbeat:pgsql). */
    readonly service: AgentSpec;
    /** Stand-in for "nomad": omitted means no such member; "dummy" means ocf:heartbeat:Dummy; or an agent. */
    readonly nomad?: AgentSpec | "dummy";
    /** Stand-in for the info clone; default ocf:heartbeat:Dummy. */
    readonly info?: AgentSpec;
}

/**
 * Lab profile for the failover drill on namespace clusters: volume → Dummy, filesystem →
 * Filesystem on `opts.blockDevice`, ip → IPaddr2 of spec.floatingIp, docker → `opts.service`,
 * nomad → optional, fence → `opts.fence`, info → Dummy (or `opts.info`).
 */
export function labProfile(opts: LabProfileOptions): Profile {
    const dummy: AgentSpec = { agent: "ocf:heartbeat:Dummy", params: {} };
    if (!opts.blockDevice.startsWith("/dev/")) throw new Error(`labProfile: blockDevice must be under /dev/, got ${JSON.stringify(opts.blockDevice)}`);
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(opts.nic)) throw new Error(`labProfile: nic is not an interface name: ${JSON.stringify(opts.nic)}`);
    if (!Number.isInteger(opts.cidrNetmask) || opts.cidrNetmask < 1 || opts.cidrNetmask > 128) {
        throw new Error(`labProfile: cidrNetmask must be an integer prefix length, got ${opts.cidrNetmask}`);
    }
    const nomad = opts.nomad === "dummy" ? dummy : opts.nomad;
    return {
        name: "lab",
        agents: (spec) => ({
            fence: opts.fence,
            info: opts.info ?? dummy,
            volume: dummy,
            filesystem: {
                agent: "ocf:heartbeat:Filesystem",
                params: { device: opts.blockDevice, directory: spec.mountpoint, fstype: spec.fstype },
            },
            ip: {
                agent: "ocf:heartbeat:IPaddr2",
                params: { ip: spec.floatingIp, cidr_netmask: String(opts.cidrNetmask), nic: opts.nic },
            },
            docker: opts.service,
            ...(nomad ? { nomad } : {}),
        }),
    };
}

/** The Cinder volume as a KVM guest sees it: virtio serial = the first 20 characters of the volume id. */
export function cinderDevicePath(volumeId: string): string {
    return `/dev/disk/by-id/virtio-${volumeId.slice(0, 20)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const AGENT = /^(ocf:[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+|systemd:[A-Za-z0-9_.@-]+|stonith:[A-Za-z0-9_.-]+|fence_[A-Za-z0-9_]+)$/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function fail(field: string, why: string, value: unknown): never {
    throw new Error(`invalid ClusterSpec.${field}: ${why} (got ${JSON.stringify(value)})`);
}

/** Throws an Error naming the field for any broken input; returns the spec unchanged otherwise. */
export function validateClusterSpec(spec: ClusterSpec): ClusterSpec {
    if (typeof spec.clusterName !== "string" || !DNS_LABEL.test(spec.clusterName)) {
        fail("clusterName", "must be a DNS label (lower-case letters, digits, '-', at most 63)", spec.clusterName);
    }
    if (!Array.isArray(spec.nodes) || spec.nodes.length < 2 || spec.nodes.length > 3) {
        fail("nodes", "must hold 2 or 3 nodes", Array.isArray(spec.nodes) ? spec.nodes.length : spec.nodes);
    }
    const names = new Set<string>();
    const addresses = new Set<string>();
    spec.nodes.forEach((n, i) => {
        if (typeof n.name !== "string" || !DNS_LABEL.test(n.name)) fail(`nodes[${i}].name`, "must be a DNS label", n.name);
        if (names.has(n.name)) fail(`nodes[${i}].name`, "duplicate node name", n.name);
        names.add(n.name);
        if (typeof n.address !== "string" || isIP(n.address) === 0) fail(`nodes[${i}].address`, "must be an IP address", n.address);
        if (addresses.has(n.address)) fail(`nodes[${i}].address`, "duplicate node address", n.address);
        addresses.add(n.address);
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
    if (spec.preferredNode !== undefined && !names.has(spec.preferredNode)) {
        fail("preferredNode", `unknown node, expected one of ${[...names].join(", ")}`, spec.preferredNode);
    }
    return spec;
}

/** Single-quotes a value for bash. */
export function shellQuote(value: string): string {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function paramArgs(role: Role, a: AgentSpec): string {
    if (!AGENT.test(a.agent)) throw new Error(`invalid profile agent for role ${role}: ${JSON.stringify(a.agent)}`);
    return Object.entries(a.params)
        .map(([k, v]) => {
            if (!PARAM_NAME.test(k)) throw new Error(`invalid profile parameter name for role ${role}: ${JSON.stringify(k)}`);
            return shellQuote(`${k}=${v}`);
        })
        .join(" ");
}

/** `--force` only for systemd units: offline pcs cannot read their metadata (and --force would hide mistakes elsewhere). */
function forceFlag(a: AgentSpec): string {
    return a.agent.startsWith("systemd:") ? " --force" : "";
}

function words(...parts: string[]): string {
    return parts.filter((p) => p !== "").join(" ");
}

/**
 * Bash that configures the resources into the CIB file given as "$1" (`pcs -f "$1" ...` only):
 * cluster properties, resource defaults, the fence device, the info clone, the group
 * (volume → filesystem → ip → docker → nomad) ordered after and colocated with the clone.
 * Apply it to `pcs cluster cib FILE`, then `pcs cluster cib-push FILE --config`.
 * Re-running it on a CIB that already holds the group changes nothing.
 */
export function configureScript(spec: ClusterSpec): string {
    validateClusterSpec(spec);
    const profile = spec.profile ?? openstackProfile;
    const agents = profile.agents(spec);
    const id = RESOURCE_IDS;
    const pcs = `pcs -f "$1"`;
    const kv = (o: Readonly<Record<string, string>>) => Object.entries(o).map(([k, v]) => shellQuote(`${k}=${v}`)).join(" ");
    const members = GROUP_ROLES.flatMap((role) => {
        const a = agents[role];
        return a ? [{ role, a }] : [];
    });
    const lines = [
        "#!/usr/bin/env bash",
        `# Pacemaker resources of cluster ${spec.clusterName} (profile ${profile.name}); generated by render/pacemaker.ts.`,
        "# Usage: configure.sh CIB_FILE   (every change is pcs -f on that file; push it with pcs cluster cib-push).",
        "set -euo pipefail",
        'if [[ $# -ne 1 || -z "$1" ]]; then',
        '  echo "usage: $0 CIB_FILE" >&2',
        "  exit 2",
        "fi",
        `if ${pcs} resource config ${id.group} >/dev/null 2>&1; then`,
        `  echo "group ${id.group} already configured in $1: nothing to do" >&2`,
        "  exit 0",
        "fi",
        "",
        "# Fencing on, stop without quorum, the group's node wins a fence race (see render/pacemaker.ts).",
        `${pcs} property set ${kv(CLUSTER_PROPERTIES)}`,
        "# Stickiness: never move back on a node's return; 3 failures then move; failures expire.",
        `${pcs} resource defaults update ${kv(RESOURCE_DEFAULTS)}`,
        "",
        `# Fence device (${agents.fence.agent}): powers a lost node off before anything moves.`,
        words(pcs, "stonith create", id.fence, agents.fence.agent.replace(/^stonith:/, ""), paramArgs("fence", agents.fence), "op", OPERATIONS.fence),
        "",
        "# Info clone on every node: sets the node attributes the OpenStack agents read.",
        words(pcs, "resource create", id.info, agents.info.agent, paramArgs("info", agents.info), "op", OPERATIONS.info, "clone interleave=true") + forceFlag(agents.info),
        "",
        "# The group, started in this order and stopped in reverse; API timeouts in minutes;",
        "# a failed stop of the volume or the file system fences the node (never mounted twice).",
        ...members.map(({ role, a }) =>
            words(pcs, "resource create", id[role], a.agent, paramArgs(role, a), "op", OPERATIONS[role], "--group", id.group) + forceFlag(a),
        ),
        `${pcs} resource meta ${id.group} priority=${GROUP_PRIORITY}`,
        "",
        "# The group runs only where the info clone runs, after it has started there.",
        `${pcs} constraint order start ${id.infoClone} 'then' start ${id.group}`,
        `${pcs} constraint colocation add ${id.group} with ${id.infoClone} INFINITY`,
    ];
    if (spec.preferredNode !== undefined) {
        lines.push(
            "# First placement only: the score is below the stickiness, so no fail-back.",
            `${pcs} constraint location ${id.group} prefers ${shellQuote(`${spec.preferredNode}=${PREFERRED_NODE_SCORE}`)}`,
        );
    }
    return lines.join("\n") + "\n";
}

/**
 * The argv (after `pcs`) of `pcs cluster setup` for this cluster, with the totem timings of
 * {@link COROSYNC_TIMINGS}. Append `--corosync_conf FILE` to write corosync.conf offline.
 * For 2 nodes pcs itself writes `two_node: 1` (which implies wait_for_all).
 */
export function clusterSetupArgs(spec: ClusterSpec, timings: CorosyncTimings = COROSYNC_TIMINGS): string[] {
    validateClusterSpec(spec);
    for (const [k, v] of Object.entries(timings)) {
        if (!Number.isInteger(v) || v < 100) throw new Error(`invalid corosync timing ${k}: ${v} (whole milliseconds, at least 100)`);
    }
    if (timings.consensusMs < 1.2 * timings.tokenMs) {
        throw new Error(`invalid corosync timings: consensus ${timings.consensusMs} ms must be at least 1.2 x token ${timings.tokenMs} ms`);
    }
    return [
        "cluster",
        "setup",
        spec.clusterName,
        ...spec.nodes.flatMap((n) => [n.name, `addr=${n.address}`]),
        "totem",
        `token=${timings.tokenMs}`,
        `consensus=${timings.consensusMs}`,
    ];
}

/**
 * Bash run once on the first node (pcsd running on all nodes, hacluster's password set):
 * reads the hacluster password from stdin, `pcs host auth` every node, `pcs cluster setup`
 * unless /etc/corosync/corosync.conf already exists for this cluster (fails if it belongs to
 * another one), then starts and enables the cluster on all nodes. Safe to re-run.
 */
export function setupScript(spec: ClusterSpec): string {
    validateClusterSpec(spec);
    const hosts = spec.nodes.map((n) => `${n.name} addr=${n.address}`).join(" ");
    const setup = clusterSetupArgs(spec).map(shellQuote).join(" ");
    return [
        "#!/usr/bin/env bash",
        `# Corosync/Pacemaker cluster ${spec.clusterName}; generated by render/pacemaker.ts.`,
        "# Usage: setup.sh < file-with-hacluster-password   (the password never appears in argv or output)",
        "set -euo pipefail",
        "# COROSYNC_CONF only for tests; the real file is /etc/corosync/corosync.conf.",
        'conf="${COROSYNC_CONF:-/etc/corosync/corosync.conf}"',
        "password=''",
        "IFS= read -r password || true",
        'if [[ -z "$password" ]]; then',
        '  echo "setup: the hacluster password must be given on stdin" >&2',
        "  exit 2",
        "fi",
        "# pcs reads the password from stdin when it is not a terminal; printf is a builtin (no argv).",
        `printf '%s\\n' "$password" | pcs host auth ${hosts} -u hacluster >/dev/null`,
        "unset password",
        'if [[ -e "$conf" ]]; then',
        `  if ! grep -qE '^[[:space:]]*cluster_name:[[:space:]]*${spec.clusterName}[[:space:]]*$' "$conf"; then`,
        `    echo "setup: $conf exists for another cluster than ${spec.clusterName}; refusing to touch it" >&2`,
        "    exit 1",
        "  fi",
        `  echo "setup: cluster ${spec.clusterName} already set up; starting it" >&2`,
        "else",
        `  # totem token ${COROSYNC_TIMINGS.tokenMs} ms / consensus ${COROSYNC_TIMINGS.consensusMs} ms; 2 nodes: pcs adds two_node (implies wait_for_all).`,
        `  pcs ${setup}`,
        "fi",
        "pcs cluster start --all --wait=300",
        "pcs cluster enable --all",
        "",
    ].join("\n");
}
