import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import * as command from "@pulumi/command";
import * as nomad from "../nomad";
import { AgentIdentity } from "./agentIdentity";
import { Artifacts } from "./artifacts";
import { ClusterNodes } from "./clusterNodes";
import { DataVolume } from "./dataVolume";
import { PacemakerCluster } from "./pacemakerCluster";
import { RemoteFiles } from "./remoteFiles";
import { issueCertificate } from "./platformCa";
import { databaseNodeUserData } from "../render/cloudInit";
import { consulClientConfig, nomadClientConfig } from "../render/agents/client";
import { CLOUD_NAME } from "../render/clouds";
import { DATABASE_NODE_FILES } from "../render/machineFiles";
import { ClusterSpec, corosyncConf } from "../render/pacemaker";
import { ARTIFACT_PATHS } from "../render/artifacts";
import { ControlPlaneOutputs } from "../contract/controlPlane";
import { COMPONENT_TYPES } from "../common/tokens";

/** Arguments of {@link Database}. Counts and CIDR lists are plain: they decide how many resources exist. */
export interface DatabaseArgs {
    /** Database name (DNS label): names the nodes, the volume, the Consul service. */
    readonly name: string;
    /** The engine's TCP port. */
    readonly enginePort: number;
    /** Data volume size in GB. */
    readonly sizeGb: pulumi.Input<number>;
    /** Cinder volume type (the cloud's default when absent). */
    readonly volumeType?: pulumi.Input<string>;
    /** When true, `pulumi destroy` may delete the data volume; otherwise it is protected and retained. */
    readonly deleteData: boolean;
    /** Number of nodes (2 or 3). */
    readonly nodes: number;
    /** Nova flavor. */
    readonly flavor: pulumi.Input<string>;
    /** Glance image. */
    readonly image: pulumi.Input<string>;
    /** CIDRs allowed to reach the engine port. */
    readonly allowedCidrs: readonly string[];
    /** External network of the database's floating IP. */
    readonly floatingIpPool: pulumi.Input<string>;
    /** File system of the data volume. */
    readonly fstype: "xfs" | "ext4";
    /** Keystone URL for the agents' clouds.yaml. */
    readonly authUrl: pulumi.Input<string>;
    /** Region for the agents' clouds.yaml. */
    readonly region: pulumi.Input<string>;
    /** How long the engine may take to stop cleanly, in seconds (its task's kill timeout): docker, Nomad and Pacemaker wait that long. */
    readonly engineStopSeconds: pulumi.Input<number>;
    /** The control plane (every output of contract/controlPlane.ts). */
    readonly controlPlane: ControlPlaneOutputs<"input">;
}

/**
 * One database: its data volume and floating IP, and the dedicated Pacemaker cluster whose
 * resource group carries them (volume → mountpoint → floating IP → docker → nomad), with
 * fencing. The cloud side is created by Pulumi; attachment and association belong to Pacemaker.
 * Composed of {@link DataVolume}, {@link AgentIdentity}, {@link ClusterNodes} and
 * {@link PacemakerCluster}; the engine's jobs and the backups join as further children.
 */
export class Database extends pulumi.ComponentResource {
    /** The data volume. */
    public readonly volume: openstack.blockstorage.Volume;
    /** The database's floating IP address: what clients connect to. */
    public readonly address: pulumi.Output<string>;
    /** The cluster nodes. */
    public readonly cluster: ClusterNodes;
    /** The Pacemaker setup and configuration. */
    public readonly pacemaker: PacemakerCluster;
    /** The Nomad provider of this database's jobs, variables and tokens. */
    public readonly nomadProvider: nomad.Provider;
    /** The Consul provider (management token) of this database's Consul objects. */
    public readonly consulProvider: pulumi.ProviderResource;
    /** Where the data volume is mounted on the node that holds it. */
    public readonly mountpoint: string;
    /** Generated files as the machines receive them, secrets replaced by `[secret]`. */
    public readonly artifacts = new Artifacts();

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.database, name, {}, opts);
        const parent = { parent: this };
        const cp = args.controlPlane;
        const mountpoint = `/srv/${args.name}`;
        this.mountpoint = mountpoint;
        // Resources that were the Database's own children keep their URNs through aliases.
        const formerParent: pulumi.Resource = this; // eslint-disable-line @typescript-eslint/no-this-alias

        this.volume = new DataVolume(name, { databaseName: args.name, sizeGb: args.sizeGb, volumeType: args.volumeType, deleteData: args.deleteData, formerParent }, parent).volume;

        // The address clients use. Pacemaker's openstack-floating-ip agent associates it with
        // the active node's port: Pulumi creates it with no port and declares no association
        // (no portId here, no FloatingIpAssociate resource), and ignores the port and fixed IP
        // the agent sets, so a later `pulumi up` never moves it back.
        const fip = new openstack.networking.FloatingIp(`${name}-fip`, {
            pool: args.floatingIpPool,
            description: `cloud-dbaas: address of database ${args.name} (moved by Pacemaker)`,
        }, { ...parent, ignoreChanges: ["portId", "fixedIp"] });
        this.address = fip.address;

        // The control plane's Nomad API, as this stack's management client (ACLs, jobs, variables).
        this.nomadProvider = new nomad.Provider(`${name}-nomad`, {
            address: cp.nomadAddress, region: cp.nomadRegion, secretId: cp.nomadToken, caPem: cp.caCertPem,
        }, parent);

        const nodeNames = Array.from({ length: args.nodes }, (_, i) => `${args.name}-${i}`);
        const identity = new AgentIdentity(name, {
            databaseName: args.name, nodeNames, consulAddress: cp.consulAddress, datacenter: cp.datacenter, consulToken: cp.consulToken, caCertPem: cp.caCertPem,
            nomadProvider: this.nomadProvider, formerParent,
        }, parent);
        this.consulProvider = identity.consulProvider;

        this.cluster = new ClusterNodes(`${name}-nodes`, {
            namePrefix: args.name,
            count: args.nodes,
            networkId: cp.networkId,
            subnetId: cp.subnetId,
            subnetCidr: cp.subnetCidr,
            allowedCidrs: args.allowedCidrs,
            enginePort: args.enginePort,
            bastionSecurityGroupId: cp.bastionSecurityGroupId,
            serverSecurityGroupId: cp.serverSecurityGroupId,
            flavor: args.flavor,
            image: args.image,
            keyPair: cp.keyPairName,
            userData: (hostname, address) => pulumi.all([address, cp.serverAddresses, cp.datacenter, cp.nomadRegion, cp.consulVersion, cp.nomadVersion, args.engineStopSeconds])
                .apply(([addr, servers, datacenter, region, consulVersion, nomadVersion, engineStopSeconds]) => {
                    const agent = { datacenter, region, address: addr, serverAddresses: servers, database: args.name, mountpoint, engineStopSeconds };
                    return databaseNodeUserData({
                        hostname, consulVersion, nomadVersion, database: args.name, mountpoint, engineStopSeconds,
                        consulConfig: consulClientConfig(agent),
                        nomadConfig: nomadClientConfig(agent),
                    });
                }),
        }, parent);

        // Membership (names and addresses only): every node gets the same corosync.conf.
        const corosync = pulumi.all(this.cluster.nodes.map((n) => n.address)).apply((addresses) =>
            corosyncConf({ clusterName: args.name, nodes: this.cluster.nodes.map((n, i) => ({ name: n.name, address: addresses[i] })) }));

        // Every node's secrets, cluster files and hacluster's password, over SSH; again for a replaced server.
        const ready: command.remote.Command[] = [];
        for (const node of this.cluster.nodes) {
            this.artifacts.cloudInit(node.name, this.cluster.userData[node.name]);
            const cert = issueCertificate(`${name}-${node.name}-tls`, {
                caCertPem: cp.caCertPem,
                caPrivateKeyPem: cp.caPrivateKeyPem,
                commonName: node.name,
                dnsNames: [pulumi.interpolate`client.${cp.nomadRegion}.nomad`, "localhost"],
                ipAddresses: [node.address, "127.0.0.1"],
            }, this);
            const drop = new RemoteFiles(`${name}-${node.name}-secrets`, {
                target: { host: node.address, user: cp.sshUser, privateKey: cp.sshPrivateKey, bastion: cp.bastionAddress },
                files: DATABASE_NODE_FILES,
                values: {
                    credentialId: identity.credentialId, credentialSecret: identity.credentialSecret, authUrl: args.authUrl, region: args.region,
                    gossipKey: cp.consulGossipKey, consulToken: identity.consulToken, haclusterPassword: identity.haclusterPassword,
                    tlsKey: cert.keyPem, tlsCert: cert.certPem, ca: cp.caCertPem, nomadTakeoverToken: identity.nomadTakeoverToken,
                    corosyncConf: corosync, corosyncAuthkey: identity.corosyncAuthkey, pacemakerAuthkey: identity.pacemakerAuthkey,
                },
                units: ["consul"],
                rerunOn: [node.serverId],
            }, { ...parent, dependsOn: [node.server] });
            ready.push(drop.command);
            this.artifacts.fileDrop(node.name, drop.reviewerCopy);
        }

        const spec: pulumi.Output<ClusterSpec> = pulumi.all([
            pulumi.all(this.cluster.nodes.map((n) => pulumi.all([n.address, n.serverId]).apply(([address, serverId]) => ({ name: n.name, address, serverId })))),
            this.volume.id, fip.id, fip.address, cp.subnetId, args.engineStopSeconds,
        ]).apply(([nodes, volumeId, floatingIpId, floatingIp, subnetId, engineStopSeconds]) => ({
            clusterName: args.name, nodes, volumeId, floatingIpId, floatingIp, subnetId, mountpoint, fstype: args.fstype, cloud: CLOUD_NAME, engineStopSeconds,
        }));
        const first = this.cluster.nodes[0];
        this.pacemaker = new PacemakerCluster(`${name}-pacemaker`, {
            spec,
            firstNode: { host: first.address, user: cp.sshUser, privateKey: cp.sshPrivateKey, bastion: cp.bastionAddress },
            haclusterPassword: identity.haclusterPassword,
            nodesReady: ready,
        }, parent);
        this.artifacts.add(ARTIFACT_PATHS.pacemaker("setup.sh"), this.pacemaker.setupScript);
        this.artifacts.add(ARTIFACT_PATHS.pacemaker("configure.sh"), this.pacemaker.configureScript);
        this.artifacts.add(ARTIFACT_PATHS.consul("agent-policy.json"), identity.consulPolicyRules);

        this.registerOutputs({ address: this.address, volumeId: this.volume.id });
    }
}
