/**
 * Every port the program opens in a security group, by service: one table for the components
 * that open them and for the policy pack that guards them (its admin-port table is derived
 * from this one, so a port the program opens can never be unknown to the policy).
 *
 * Pure: no Pulumi import. The engines' ports are the engines' own (engines/).
 */

/** A range of ports of one protocol, and what it carries. */
export interface PortRange {
    /** Transport protocol. */
    readonly protocol: "tcp" | "udp";
    /** First port. */
    readonly from: number;
    /** Last port (= from for one port). */
    readonly to: number;
    /** What it carries: the security group rule's description (and the policy's wording). */
    readonly what: string;
}

/** SSH: to the bastion from the operators, to every server from the bastion. */
export const SSH: PortRange = { protocol: "tcp", from: 22, to: 22, what: "SSH" };

/** corosync's ring (knet, UDP), between the members of one database cluster. */
export const COROSYNC: PortRange = { protocol: "udp", from: 5405, to: 5405, what: "corosync" };

/** pcsd (pcs host auth, cluster setup), between the members of one database cluster. */
export const PCSD: PortRange = { protocol: "tcp", from: 2224, to: 2224, what: "pcsd" };

/** Nomad's HTTP API, the port the APIs' floating IP serves. */
export const NOMAD_HTTP = 4646;

/** Consul's HTTPS API, the port the APIs' floating IP serves. */
export const CONSUL_HTTPS = 8501;

/** Consul (server RPC, serf, HTTP(S), gRPC, DNS) and Nomad (HTTP, RPC, serf): open inside the platform network. */
export const CONTROL_PLANE_INTERNAL_PORTS: readonly PortRange[] = [
    { protocol: "tcp", from: 8300, to: 8302, what: "consul rpc + serf" },
    { protocol: "udp", from: 8301, to: 8302, what: "consul serf" },
    { protocol: "tcp", from: 8500, to: 8503, what: "consul http(s) + grpc" },
    { protocol: "tcp", from: 8600, to: 8600, what: "consul dns" },
    { protocol: "udp", from: 8600, to: 8600, what: "consul dns" },
    { protocol: "tcp", from: NOMAD_HTTP, to: 4648, what: "nomad http + rpc + serf" },
    { protocol: "udp", from: 4648, to: 4648, what: "nomad serf" },
];

/** The APIs operators (and database stacks' `pulumi up`) reach, with ACL tokens, over TLS. */
export const OPERATOR_API_PORTS: readonly PortRange[] = [
    { protocol: "tcp", from: NOMAD_HTTP, to: NOMAD_HTTP, what: "nomad api (https, acl)" },
    { protocol: "tcp", from: CONSUL_HTTPS, to: CONSUL_HTTPS, what: "consul api (https, acl)" },
];

/** What a database node's agents serve to the control plane: the Nomad servers reach the client, every agent gossips. */
export const DATABASE_AGENT_PORTS = {
    /** Nomad servers to this client (HTTP, RPC). */
    nomad: { protocol: "tcp", from: NOMAD_HTTP, to: 4647, what: "nomad servers to this client" },
    /** Consul's LAN gossip, TCP. */
    consulSerfTcp: { protocol: "tcp", from: 8301, to: 8301, what: "consul LAN gossip (every agent of the datacenter)" },
    /** Consul's LAN gossip, UDP. */
    consulSerfUdp: { protocol: "udp", from: 8301, to: 8301, what: "consul LAN gossip (every agent of the datacenter)" },
} as const satisfies Record<string, PortRange>;

/**
 * Every administration port: those the program opens (above) and corosync's whole default
 * range (5404-5406). None may ever be reachable from the whole Internet.
 */
export const ADMIN_PORTS: readonly PortRange[] = [
    SSH,
    { ...COROSYNC, from: 5404, to: 5406 },
    PCSD,
    ...CONTROL_PLANE_INTERNAL_PORTS,
    ...OPERATOR_API_PORTS,
    ...Object.values(DATABASE_AGENT_PORTS),
];

/** True when `range` carries `protocol` and every port from `from` to `to` lies inside it. */
export function covers(range: PortRange, protocol: string, from: number, to: number): boolean {
    return range.protocol === protocol && range.from <= from && to <= range.to;
}
