import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { COMPONENT_TYPES } from "../common/tokens";
import { COROSYNC, DATABASE_AGENT_PORTS, PCSD, PortRange, SSH } from "../common/ports";
import { ethertypeOf } from "../common/cidr";

/** One node of a database cluster, once its port and server exist. */
export interface ClusterNodeInfo {
    /** Host name = Pacemaker node name. */
    readonly name: string;
    /** Fixed private address of its port. */
    readonly address: pulumi.Output<string>;
    /** Nova server UUID (fence_openstack powers it off by this id). */
    readonly serverId: pulumi.Output<string>;
    /** Its Neutron port. */
    readonly portId: pulumi.Output<string>;
    /** Its server. */
    readonly server: openstack.compute.Instance;
}

/** Arguments of {@link ClusterNodes}. Counts and CIDR lists are plain: they decide how many resources exist. */
export interface ClusterNodesArgs {
    /** Name prefix of the nodes (the database's name). */
    readonly namePrefix: string;
    /** Number of nodes (2 or 3). */
    readonly count: number;
    /** The platform network and subnet (from the control plane). */
    readonly networkId: pulumi.Input<string>;
    /** The platform subnet. */
    readonly subnetId: pulumi.Input<string>;
    /** The platform subnet's CIDR (Consul's LAN gossip spans every agent of the datacenter). */
    readonly subnetCidr: pulumi.Input<string>;
    /** CIDRs allowed to reach the engine port. */
    readonly allowedCidrs: readonly string[];
    /** The engine's TCP port. */
    readonly enginePort: number;
    /** The bastion's security group: SSH from it only. */
    readonly bastionSecurityGroupId: pulumi.Input<string>;
    /** The control-plane servers' security group: Nomad and Consul servers reach the agents. */
    readonly serverSecurityGroupId: pulumi.Input<string>;
    /** Nova flavor. */
    readonly flavor: pulumi.Input<string>;
    /** Glance image. */
    readonly image: pulumi.Input<string>;
    /** Nova key pair of the platform. */
    readonly keyPair: pulumi.Input<string>;
    /** User data of each node, by host name (no secret in it). */
    readonly userData: (hostname: string, address: pulumi.Output<string>) => pulumi.Input<string>;
}

/**
 * The servers of one database cluster: 2 or 3 in an anti-affinity group, each with its own
 * port in the platform network, and their security group — the engine port from the allowed
 * CIDRs only, corosync and pcsd between the members only, SSH from the bastion only, and the
 * Consul/Nomad agent traffic with the control plane.
 */
export class ClusterNodes extends pulumi.ComponentResource {
    /** The nodes, in order (the first sets the cluster up). */
    public readonly nodes: ClusterNodeInfo[];
    /** The nodes' security group. */
    public readonly securityGroupId: pulumi.Output<string>;
    /** Each node's user data, by host name. */
    public readonly userData: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: ClusterNodesArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.clusterNodes, name, {}, opts);
        const parent = { parent: this };
        const sg = new openstack.networking.SecGroup(`${name}-sg`, {
            name: `${args.namePrefix}-nodes-sg`,
            description: `${args.namePrefix}: engine from allowed CIDRs, cluster traffic between members, SSH from the bastion`,
        }, parent);
        this.securityGroupId = sg.id;
        const rule = (ruleName: string, r: Omit<openstack.networking.SecGroupRuleArgs, "securityGroupId" | "direction">) =>
            new openstack.networking.SecGroupRule(`${name}-${ruleName}`, { securityGroupId: sg.id, direction: "ingress", ...r }, parent);

        const ports = (p: PortRange) => ({ protocol: p.protocol, portRangeMin: p.from, portRangeMax: p.to });
        args.allowedCidrs.forEach((cidr, i) => rule(`engine-${i}`, {
            ethertype: ethertypeOf(cidr), protocol: "tcp", portRangeMin: args.enginePort, portRangeMax: args.enginePort,
            remoteIpPrefix: cidr, description: "database clients",
        }));
        rule("corosync", { ethertype: "IPv4", ...ports(COROSYNC), remoteGroupId: sg.id, description: "corosync, between members only" });
        rule("pcsd", { ethertype: "IPv4", ...ports(PCSD), remoteGroupId: sg.id, description: "pcsd, between members only" });
        rule("ssh", { ethertype: "IPv4", ...ports(SSH), remoteGroupId: args.bastionSecurityGroupId, description: "SSH from the bastion only" });
        const agents = DATABASE_AGENT_PORTS;
        rule("nomad-from-servers", { ethertype: "IPv4", ...ports(agents.nomad), remoteGroupId: args.serverSecurityGroupId, description: agents.nomad.what });
        rule("consul-serf-tcp", { ethertype: "IPv4", ...ports(agents.consulSerfTcp), remoteIpPrefix: args.subnetCidr, description: agents.consulSerfTcp.what });
        rule("consul-serf-udp", { ethertype: "IPv4", ...ports(agents.consulSerfUdp), remoteIpPrefix: args.subnetCidr, description: agents.consulSerfUdp.what });

        const group = new openstack.compute.ServerGroup(`${name}-group`, { name: `${args.namePrefix}-nodes`, policies: ["anti-affinity"] }, parent);

        this.userData = {};
        this.nodes = Array.from({ length: args.count }, (_, i) => {
            const hostname = `${args.namePrefix}-${i}`;
            const port = new openstack.networking.Port(`${name}-${i}-port`, {
                name: `${hostname}-port`,
                networkId: args.networkId,
                fixedIps: [{ subnetId: args.subnetId }],
                securityGroupIds: [sg.id],
                adminStateUp: true,
            }, parent);
            const address = port.allFixedIps[0];
            const userData = pulumi.output(args.userData(hostname, address));
            this.userData[hostname] = userData;
            const server = new openstack.compute.Instance(`${name}-${i}`, {
                name: hostname,
                flavorName: args.flavor,
                imageName: args.image,
                keyPair: args.keyPair,
                userData,
                networks: [{ port: port.id }],
                schedulerHints: [{ group: group.id }],
                metadata: { "dbaas-role": "database-node", "dbaas-database": args.namePrefix },
            }, {
                ...parent,
                // A node is replaced deliberately (README: stop its cluster first), never because
                // an image name or user data changed under a running cluster.
                ignoreChanges: ["imageName", "userData"],
                // Its replacement takes the same port, which Nova refuses while the old server holds it.
                deleteBeforeReplace: true,
            });
            return { name: hostname, address, serverId: server.id, portId: port.id, server };
        });
        this.registerOutputs({ securityGroupId: this.securityGroupId });
    }
}
