/**
 * The settings every profile shares: resource ids, group order, operations, defaults, cluster
 * properties, corosync timings. A profile only maps roles to agents.
 */
import { ClusterSpec, Role } from "./spec";

/** Resource ids, named after the role (not the agent), identical in every profile. */
export const RESOURCE_IDS = {
    fence: "fence-nodes",
    info: "cloud-info",
    infoClone: "cloud-info-clone",
    group: "database",
    volume: "data-volume",
    format: "data-format",
    filesystem: "data-fs",
    ip: "service-ip",
    docker: "docker",
    nomad: "nomad",
} as const;

/** Group members in start order (nomad is dropped when the profile has none). */
export const GROUP_ROLES = ["volume", "format", "filesystem", "ip", "docker", "nomad"] as const;

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
 * - info: its monitor only re-reads the metadata service; a failure there (a metadata
 *   hiccup) must not restart the clone instance, which would restart the whole group ordered
 *   after it: on-fail=ignore (the attributes it set at start stay valid).
 * - format: start may run mkfs once on a new volume (no discard: a new Cinder volume is
 *   blank already); its monitor and stop only touch a state file.
 * - Filesystem start 120 s: XFS log replay / ext4 journal recovery after a fence.
 * - nomad: a systemd unit, 120 s to start (its start reschedules the engine here: render/databaseNode.ts)
 *   and to stop. Stopping the Nomad agent does not stop its allocations: the engine keeps running
 *   until docker stops.
 * - docker: a systemd unit; its stop stops the engine's container with the engine's clean-shutdown
 *   signal and time (dockerd's shutdown-timeout), so the stop gets that time and a minute more.
 * - fence device: fence_openstack's monitor lists servers through the Nova API.
 */
export const OPERATIONS: Readonly<Record<Role, string>> = {
    fence: "monitor interval=60s timeout=120s start interval=0s timeout=120s",
    info: "monitor interval=60s timeout=180s on-fail=ignore start interval=0s timeout=180s stop interval=0s timeout=180s",
    volume: "monitor interval=60s timeout=180s start interval=0s timeout=300s stop interval=0s timeout=300s on-fail=fence",
    format: "monitor interval=60s timeout=20s start interval=0s timeout=600s stop interval=0s timeout=20s",
    filesystem: "monitor interval=20s timeout=60s start interval=0s timeout=120s stop interval=0s timeout=120s on-fail=fence",
    ip: "monitor interval=60s timeout=180s start interval=0s timeout=180s stop interval=0s timeout=180s",
    docker: "monitor interval=30s timeout=60s start interval=0s timeout=120s stop interval=0s timeout=180s",
    nomad: "monitor interval=30s timeout=60s start interval=0s timeout=120s stop interval=0s timeout=120s",
};

/** How long the engine may take to stop when a spec does not say (docker's stop gets a minute more). */
export const DEFAULT_ENGINE_STOP_SECONDS = 120;

/** The operations of a cluster: {@link OPERATIONS}, docker's stop timeout from the engine's clean-shutdown time. */
export function operationsOf(spec: ClusterSpec): Readonly<Record<Role, string>> {
    const stop = (spec.engineStopSeconds ?? DEFAULT_ENGINE_STOP_SECONDS) + 60;
    return { ...OPERATIONS, docker: OPERATIONS.docker.replace(/stop interval=0s timeout=\d+s/, `stop interval=0s timeout=${stop}s`) };
}

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


/** Throws on timings corosync would refuse or that are not whole milliseconds; returns them otherwise. */
export function validateCorosyncTimings(timings: CorosyncTimings): CorosyncTimings {
    for (const [k, v] of Object.entries(timings)) {
        if (!Number.isInteger(v) || v < 100) throw new Error(`invalid corosync timing ${k}: ${v} (whole milliseconds, at least 100)`);
    }
    if (timings.consensusMs < 1.2 * timings.tokenMs) {
        throw new Error(`invalid corosync timings: consensus ${timings.consensusMs} ms must be at least 1.2 x token ${timings.tokenMs} ms`);
    }
    return timings;
}
