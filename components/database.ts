import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import * as consul from "@pulumi/consul";
import * as random from "@pulumi/random";
import * as command from "@pulumi/command";
import { ClusterNodes } from "./clusterNodes";
import { PacemakerCluster } from "./pacemakerCluster";
import { RemoteFiles } from "./remoteFiles";
import { issueCertificate } from "./platformCa";
import { REDACTED } from "../render/redacted";
import { databaseNodeUserData } from "../render/cloudInit";
import { DroppedFile } from "../render/fileDrop";
import { TLS_PATHS } from "../render/agents";
import { CLOUD_NAME, CLOUDS_YAML_PATH, agentPolicyRules, cloudsYaml, consulClientConfig, nomadClientConfig } from "../render/cluster";
import { ClusterSpec } from "../render/pacemaker";
import { jsonFile } from "../render/json";
import { ControlPlaneValues } from "../stacks/contract";

/** What a database stack takes from its control plane: every output of the contract (stacks/contract.ts). */
export type ControlPlaneView = { readonly [K in keyof ControlPlaneValues]: pulumi.Input<ControlPlaneValues[K]> };

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
    /** The control plane. */
    readonly controlPlane: ControlPlaneView;
}

/**
 * One database: its Cinder data volume and floating IP, and the dedicated Pacemaker cluster
 * whose resource group carries them (volume → mountpoint → floating IP → docker → nomad), with
 * fencing. The cloud side is created by Pulumi; attachment and association belong to Pacemaker.
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
    /** Generated files as the machines receive them, secrets replaced by `[secret]`. */
    public readonly artifacts: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dbaas:index:Database", name, {}, opts);
        const parent = { parent: this };
        const cp = args.controlPlane;
        const mountpoint = `/srv/${args.name}`;

        // The data. Protected and retained: `pulumi destroy` neither deletes it by accident nor
        // at all, unless the operator set dbaas:deleteData (see the README).
        const keep = !args.deleteData;
        this.volume = new openstack.blockstorage.Volume(`${name}-data`, {
            name: `${args.name}-data`,
            description: `cloud-dbaas: data of database ${args.name}`,
            size: args.sizeGb,
            volumeType: args.volumeType,
            metadata: { "dbaas-database": args.name },
        }, {
            ...parent,
            protect: keep,
            retainOnDelete: keep,
            // Pacemaker's openstack-cinder-volume agent attaches it to the active node.
            ignoreChanges: ["attachments"],
        });

        // The address clients use. Pacemaker's openstack-floating-ip agent associates it with
        // the active node's port: Pulumi creates it with no port and declares no association
        // (no portId here, no FloatingIpAssociate resource), and ignores the port and fixed IP
        // the agent sets, so a later `pulumi up` never moves it back.
        const fip = new openstack.networking.FloatingIp(`${name}-fip`, {
            pool: args.floatingIpPool,
            description: `cloud-dbaas: address of database ${args.name} (moved by Pacemaker)`,
        }, { ...parent, ignoreChanges: ["portId", "fixedIp"] });
        this.address = fip.address;

        // The agents' OpenStack credential: only what they need, written over SSH.
        const credential = new openstack.identity.ApplicationCredential(`${name}-agents`, {
            name: `${args.name}-cluster-agents`,
            description: `cloud-dbaas: Pacemaker resource and fence agents of ${args.name}`,
            unrestricted: false,
        }, { ...parent, additionalSecretOutputs: ["secret"] });
        const credentialSecret = pulumi.secret(credential.secret);

        // Consul: a policy and token for this cluster's agents only.
        const consulProvider = new consul.Provider(`${name}-consul`, {
            address: pulumi.output(cp.consulAddress).apply((a) => a.replace(/^https:\/\//, "")),
            scheme: "https",
            datacenter: cp.datacenter,
            token: pulumi.secret(cp.consulToken),
            caPem: cp.caCertPem,
        }, parent);
        const nodeNames = Array.from({ length: args.nodes }, (_, i) => `${args.name}-${i}`);
        const policy = new consul.AclPolicy(`${name}-agents`, {
            name: `dbaas-${args.name}-agents`,
            description: `cloud-dbaas: agents of database ${args.name}`,
            rules: agentPolicyRules({ nodes: nodeNames, service: args.name }),
            datacenters: [cp.datacenter],
        }, { ...parent, provider: consulProvider });
        const agentToken = new consul.AclToken(`${name}-agents`, {
            description: `cloud-dbaas: agents of database ${args.name}`,
            policies: [policy.name],
        }, { ...parent, provider: consulProvider });
        const agentTokenSecret = pulumi.secret(consul.getAclTokenSecretIdOutput({ accessorId: agentToken.accessorId }, { parent: this, provider: consulProvider }).secretId);

        const haclusterPassword = new random.RandomPassword(`${name}-hacluster`, { length: 32, special: false }, { ...parent, additionalSecretOutputs: ["result"] });
        const haclusterSecret = pulumi.secret(haclusterPassword.result);

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
            userData: (hostname, address) => pulumi.all([address, cp.serverAddresses, cp.datacenter, cp.nomadRegion, cp.consulVersion, cp.nomadVersion])
                .apply(([addr, servers, datacenter, region, consulVersion, nomadVersion]) => {
                    const agent = { datacenter, region, address: addr, serverAddresses: servers, database: args.name, mountpoint };
                    return databaseNodeUserData({
                        hostname, consulVersion, nomadVersion, mountpoint,
                        consulConfig: consulClientConfig(agent),
                        nomadConfig: nomadClientConfig(agent),
                    });
                }),
        }, parent);

        this.artifacts = {};
        const ready: command.remote.Command[] = [];
        for (const node of this.cluster.nodes) {
            this.artifacts[`cloud-init/${node.name}.yaml`] = this.cluster.userData[node.name];
            const cert = issueCertificate(`${name}-${node.name}-tls`, {
                caCertPem: cp.caCertPem,
                caPrivateKeyPem: cp.caPrivateKeyPem,
                commonName: node.name,
                dnsNames: [pulumi.interpolate`client.${cp.nomadRegion}.nomad`, "localhost"],
                ipAddresses: [node.address, "127.0.0.1"],
            }, this);
            type S = { credentialId: string; credentialSecret: string; authUrl: string; region: string; gossip: string; token: string; hacluster: string; tlsKey: string; tlsCert: string; ca: string };
            const files = (s: S): DroppedFile[] => [
                { path: CLOUDS_YAML_PATH, content: cloudsYaml({ authUrl: s.authUrl, region: s.region, credentialId: s.credentialId, credentialSecret: s.credentialSecret }), mode: "0600", owner: "root", group: "root" },
                { path: "/etc/consul.d/secrets.json", content: jsonFile({ encrypt: s.gossip, acl: { tokens: { agent: s.token, default: s.token } } }), mode: "0640", owner: "consul", group: "consul" },
                { path: TLS_PATHS.consul.ca, content: s.ca, mode: "0644", owner: "consul", group: "consul" },
                { path: "/etc/nomad.d/secrets.json", content: jsonFile({ consul: { token: s.token } }), mode: "0600", owner: "root", group: "root" },
                { path: TLS_PATHS.nomad.ca, content: s.ca, mode: "0644", owner: "root", group: "root" },
                { path: TLS_PATHS.nomad.cert, content: s.tlsCert, mode: "0644", owner: "root", group: "root" },
                { path: TLS_PATHS.nomad.key, content: s.tlsKey, mode: "0600", owner: "root", group: "root" },
                // chpasswd reads "user:password" lines: hacluster's password, for pcs host auth.
                { path: "/etc/dbaas/hacluster.chpasswd", content: `hacluster:${s.hacluster}\n`, mode: "0600", owner: "root", group: "root" },
            ];
            const secretFiles = pulumi.all([credential.id, credentialSecret, args.authUrl, args.region, cp.consulGossipKey, agentTokenSecret, haclusterSecret, cert.keyPem, cert.certPem, cp.caCertPem])
                .apply(([credentialId, secret, authUrl, region, gossip, token, hacluster, tlsKey, tlsCert, ca]) =>
                    files({ credentialId, credentialSecret: secret, authUrl, region, gossip, token, hacluster, tlsKey, tlsCert, ca }));
            const drop = new RemoteFiles(`${name}-${node.name}-secrets`, {
                target: { host: node.address, user: cp.sshUser, privateKey: cp.sshPrivateKey, bastion: cp.bastionAddress },
                files: secretFiles,
                units: ["consul"],
                // The redirection must happen as root too: the file is root-only.
                afterInstall: ["sudo sh -c 'chpasswd < /etc/dbaas/hacluster.chpasswd'"],
            }, { ...parent, dependsOn: [node.server] });
            ready.push(drop.command);
            const redacted = pulumi.all([credential.id, args.authUrl, args.region, cert.certPem, cp.caCertPem]).apply(([credentialId, authUrl, region, tlsCert, ca]) =>
                files({ credentialId, credentialSecret: REDACTED, authUrl, region, gossip: REDACTED, token: REDACTED, hacluster: REDACTED, tlsKey: REDACTED, tlsCert, ca }));
            this.artifacts[`ssh/${node.name}.json`] = redacted.apply((f) => jsonFile({ files: f }));
        }

        const spec: pulumi.Output<ClusterSpec> = pulumi.all([
            pulumi.all(this.cluster.nodes.map((n) => pulumi.all([n.address, n.serverId]).apply(([address, serverId]) => ({ name: n.name, address, serverId })))),
            this.volume.id, fip.id, fip.address, cp.subnetId,
        ]).apply(([nodes, volumeId, floatingIpId, floatingIp, subnetId]) => ({
            clusterName: args.name, nodes, volumeId, floatingIpId, floatingIp, subnetId, mountpoint, fstype: args.fstype, cloud: CLOUD_NAME,
        }));
        const first = this.cluster.nodes[0];
        this.pacemaker = new PacemakerCluster(`${name}-pacemaker`, {
            spec,
            firstNode: { host: first.address, user: cp.sshUser, privateKey: cp.sshPrivateKey, bastion: cp.bastionAddress },
            haclusterPassword: haclusterSecret,
            nodesReady: ready,
        }, parent);
        this.artifacts["pacemaker/setup.sh"] = this.pacemaker.setupScript;
        this.artifacts["pacemaker/configure.sh"] = this.pacemaker.configureScript;
        this.artifacts["consul/agent-policy.json"] = pulumi.output(agentPolicyRules({ nodes: nodeNames, service: args.name }));

        this.registerOutputs({ address: this.address, volumeId: this.volume.id });
    }
}
