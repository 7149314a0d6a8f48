import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import * as command from "@pulumi/command";
import { PlatformNetwork } from "./platformNetwork";
import { Bastion } from "./bastion";
import { PlatformCa, issueCertificate } from "./platformCa";
import { RemoteFiles, sshConnection } from "./remoteFiles";
import { Artifacts } from "./artifacts";
import { serverUserData } from "../render/cloudInit";
import { consulServerConfig, nomadServerConfig } from "../render/agents/server";
import { TLS_PATHS } from "../render/agents/paths";
import { SERVER_FILES } from "../render/machineFiles";
import { nomadAclBootstrapScript } from "../render/scripts";
import { ARTIFACT_PATHS } from "../render/artifacts";
import { CONSUL_HTTPS, CONTROL_PLANE_INTERNAL_PORTS, NOMAD_HTTP, OPERATOR_API_PORTS, SSH } from "../common/ports";
import { ethertypeOf } from "../common/cidr";
import { COMPONENT_TYPES } from "../common/tokens";

/** Arguments of {@link ControlPlane}. Lists are plain: they decide how many resources exist. */
export interface ControlPlaneArgs {
    /** Name prefix of servers and cloud resources. */
    readonly namePrefix: string;
    /** External network name (router gateway, floating IP pool). */
    readonly externalNetwork: pulumi.Input<string>;
    /** CIDRs allowed to reach the bastion's SSH and the Nomad/Consul APIs (never a /0). */
    readonly operatorCidrs: readonly string[];
    /** Number of Consul + Nomad servers (3 or 5). */
    readonly servers: number;
    /** CIDR of the subnet to create, when no existing network is given. */
    readonly subnetCidr?: pulumi.Input<string>;
    /** An existing network and subnet to use. */
    readonly existingNetwork?: { readonly networkId: pulumi.Input<string>; readonly subnetId: pulumi.Input<string> };
    /** DNS servers of a created subnet. */
    readonly dnsNameservers?: pulumi.Input<pulumi.Input<string>[]>;
    /** Nova flavor of the servers. */
    readonly flavor: pulumi.Input<string>;
    /** Nova flavor of the bastion. */
    readonly bastionFlavor: pulumi.Input<string>;
    /** Glance image (Debian 12). */
    readonly image: pulumi.Input<string>;
    /** Login user of the image. */
    readonly sshUser: pulumi.Input<string>;
    /** Consul and Nomad datacenter. */
    readonly datacenter: string;
    /** Consul version (x.y.z) from HashiCorp's apt repository. */
    readonly consulVersion: string;
    /** Nomad version (x.y.z) from HashiCorp's apt repository. */
    readonly nomadVersion: string;
}

/**
 * The platform's control plane: network, bastion, an anti-affinity group of 3 or 5 servers
 * running Consul and Nomad servers (ACLs and gossip encryption on, TLS on the APIs), an SSH key
 * pair, and the secrets — gossip keys, bootstrap tokens, TLS keys — generated as Pulumi secrets
 * and delivered over SSH through the bastion, never through user data.
 */
export class ControlPlane extends pulumi.ComponentResource {
    /** Nomad API address (https). */
    public readonly nomadAddress: pulumi.Output<string>;
    /** Consul API address (https). */
    public readonly consulAddress: pulumi.Output<string>;
    /** The servers' private addresses. */
    public readonly serverAddresses: pulumi.Output<string[]>;
    /** The platform network. */
    public readonly network: PlatformNetwork;
    /** The bastion. */
    public readonly bastion: Bastion;
    /** The servers' security group. */
    public readonly serverSecurityGroupId: pulumi.Output<string>;
    /** The Nova key pair's name. */
    public readonly keyPairName: pulumi.Output<string>;
    /** The platform CA. */
    public readonly ca: PlatformCa;
    /** The SSH private key (secret). */
    public readonly sshPrivateKey: pulumi.Output<string>;
    /** Nomad management token (secret). */
    public readonly nomadToken: pulumi.Output<string>;
    /** Consul management token (secret). */
    public readonly consulToken: pulumi.Output<string>;
    /** Consul gossip key (secret). */
    public readonly consulGossipKey: pulumi.Output<string>;
    /** Generated files as the machines receive them, secrets replaced by `[secret]`. */
    public readonly artifacts = new Artifacts();

    constructor(name: string, args: ControlPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.controlPlane, name, {}, opts);
        const parent = { parent: this };
        const prefix = args.namePrefix;

        this.network = new PlatformNetwork(`${name}-net`, {
            namePrefix: prefix,
            externalNetwork: args.externalNetwork,
            subnetCidr: args.subnetCidr,
            dnsNameservers: args.dnsNameservers,
            existing: args.existingNetwork,
        }, parent);

        // The platform's SSH key: generated here, its private half a secret.
        const sshKey = new tls.PrivateKey(`${name}-ssh-key`, { algorithm: "ED25519" }, {
            ...parent, additionalSecretOutputs: ["privateKeyOpenssh", "privateKeyPem", "privateKeyPemPkcs8"],
        });
        this.sshPrivateKey = pulumi.secret(sshKey.privateKeyOpenssh);
        const keyPair = new openstack.compute.Keypair(`${name}-keypair`, { name: `${prefix}-platform`, publicKey: sshKey.publicKeyOpenssh }, parent);
        this.keyPairName = keyPair.name;

        this.bastion = new Bastion(`${name}-bastion`, {
            serverName: `${prefix}-bastion`,
            networkId: this.network.networkId,
            subnetId: this.network.subnetId,
            operatorCidrs: args.operatorCidrs,
            externalNetwork: args.externalNetwork,
            flavor: args.bastionFlavor,
            image: args.image,
            keyPair: keyPair.name,
        }, parent);

        // Secrets: generated by the program, secrets from birth.
        const consulGossip = new random.RandomBytes(`${name}-consul-gossip-key`, { length: 32 }, { ...parent, additionalSecretOutputs: ["base64", "hex"] });
        const nomadGossip = new random.RandomBytes(`${name}-nomad-gossip-key`, { length: 32 }, { ...parent, additionalSecretOutputs: ["base64", "hex"] });
        const consulToken = new random.RandomUuid(`${name}-consul-management-token`, {}, { ...parent, additionalSecretOutputs: ["result"] });
        const nomadToken = new random.RandomUuid(`${name}-nomad-management-token`, {}, { ...parent, additionalSecretOutputs: ["result"] });
        this.consulGossipKey = pulumi.secret(consulGossip.base64);
        this.consulToken = pulumi.secret(consulToken.result);
        this.nomadToken = pulumi.secret(nomadToken.result);
        const nomadGossipKey = pulumi.secret(nomadGossip.base64);

        this.ca = new PlatformCa(`${name}-ca`, { commonName: `${prefix} platform CA` }, parent);

        const servers = new openstack.networking.SecGroup(`${name}-servers-sg`, {
            name: `${prefix}-servers-sg`,
            description: "consul + nomad servers: SSH from the bastion, agents inside the network, APIs from operators",
        }, parent);
        this.serverSecurityGroupId = servers.id;
        const rule = (ruleName: string, r: Omit<openstack.networking.SecGroupRuleArgs, "securityGroupId" | "direction">) =>
            new openstack.networking.SecGroupRule(`${name}-${ruleName}`, { securityGroupId: servers.id, direction: "ingress", ...r }, parent);
        rule("ssh-from-bastion", { ethertype: "IPv4", protocol: SSH.protocol, portRangeMin: SSH.from, portRangeMax: SSH.to, remoteGroupId: this.bastion.securityGroupId, description: "SSH from the bastion only" });
        for (const p of CONTROL_PLANE_INTERNAL_PORTS) {
            rule(`internal-${p.protocol}-${p.from}`, { ethertype: "IPv4", protocol: p.protocol, portRangeMin: p.from, portRangeMax: p.to, remoteIpPrefix: this.network.subnetCidr, description: `${p.what}, inside the network` });
        }
        args.operatorCidrs.forEach((cidr, i) => {
            for (const p of OPERATOR_API_PORTS) {
                rule(`api-${p.from}-${i}`, { ethertype: ethertypeOf(cidr), protocol: p.protocol, portRangeMin: p.from, portRangeMax: p.to, remoteIpPrefix: cidr, description: `${p.what} from operators` });
            }
        });

        const group = new openstack.compute.ServerGroup(`${name}-servers`, { name: `${prefix}-servers`, policies: ["anti-affinity"] }, parent);

        // Ports first: their fixed addresses are the join targets written in every server's config.
        const names = Array.from({ length: args.servers }, (_, i) => `${prefix}-server-${i}`);
        const ports = names.map((serverName, i) => new openstack.networking.Port(`${name}-server-${i}-port`, {
            name: `${serverName}-port`,
            networkId: this.network.networkId,
            fixedIps: [{ subnetId: this.network.subnetId }],
            securityGroupIds: [servers.id],
            adminStateUp: true,
        }, parent));
        const addresses = ports.map((p) => p.allFixedIps[0]);
        this.serverAddresses = pulumi.all(addresses);

        // The APIs' floating IP, allocated now (unassociated) so that every server certificate
        // names it: the Nomad and Consul providers verify the API's certificate against it.
        const apiIp = new openstack.networking.FloatingIp(`${name}-api-fip`, {
            pool: args.externalNetwork,
            description: `${prefix}: Nomad and Consul APIs (TLS, ACLs)`,
        }, parent);

        this.artifacts.cloudInit(`${prefix}-bastion`, this.bastion.userData);
        const fileDrops: command.remote.Command[] = [];
        names.forEach((serverName, i) => {
            const agentArgs = pulumi.all([addresses[i], this.serverAddresses]).apply(([address, all]) => ({ datacenter: args.datacenter, address, serverAddresses: all }));
            const userData = agentArgs.apply((a) => serverUserData({
                hostname: serverName,
                consulVersion: args.consulVersion,
                nomadVersion: args.nomadVersion,
                consulConfig: consulServerConfig(a),
                nomadConfig: nomadServerConfig(a),
            }));
            const server = new openstack.compute.Instance(`${name}-server-${i}`, {
                name: serverName,
                flavorName: args.flavor,
                imageName: args.image,
                keyPair: keyPair.name,
                userData,
                networks: [{ port: ports[i].id }],
                schedulerHints: [{ group: group.id }],
                metadata: { "dbaas-role": "control-plane-server" },
            }, {
                ...parent,
                // A control-plane server is upgraded in place, one at a time, never replaced by a
                // changed image or user data (that would drop Consul's and Nomad's state).
                ignoreChanges: ["imageName", "userData"],
            });
            this.artifacts.cloudInit(serverName, userData);

            const cert = issueCertificate(`${name}-server-${i}-tls`, {
                caCertPem: this.ca.certPem,
                caPrivateKeyPem: this.ca.privateKeyPem,
                commonName: serverName,
                dnsNames: [`server.${args.datacenter}.consul`, "server.global.nomad", "localhost"],
                ipAddresses: [addresses[i], apiIp.address, "127.0.0.1"],
            }, this);
            const drop = new RemoteFiles(`${name}-server-${i}-secrets`, {
                target: { host: addresses[i], user: args.sshUser, privateKey: this.sshPrivateKey, bastion: this.bastion.address },
                files: SERVER_FILES,
                values: { consulGossipKey: this.consulGossipKey, consulToken: this.consulToken, nomadGossipKey, tlsKey: cert.keyPem, tlsCert: cert.certPem, ca: this.ca.certPem },
                units: ["consul", "nomad"],
            }, { ...parent, dependsOn: [server] });
            fileDrops.push(drop.command);
            this.artifacts.fileDrop(serverName, drop.reviewerCopy);
        });

        // Nomad's ACL system, bootstrapped with our generated token once every server runs.
        const bootstrap = new command.remote.Command(`${name}-nomad-acl-bootstrap`, {
            connection: sshConnection({ host: addresses[0], user: args.sshUser, privateKey: this.sshPrivateKey, bastion: this.bastion.address }),
            create: nomadAclBootstrapScript({ caFile: TLS_PATHS.nomad.ca }),
            stdin: pulumi.interpolate`${this.nomadToken}\n`,
        }, { ...parent, dependsOn: fileDrops, additionalSecretOutputs: ["stdin"] });
        this.artifacts.add(ARTIFACT_PATHS.controlPlaneScript("nomad-acl-bootstrap.sh"), nomadAclBootstrapScript({ caFile: TLS_PATHS.nomad.ca }));

        // The APIs' public address: reached only once Nomad's ACLs are bootstrapped (before that,
        // anyone reaching the API could bootstrap them), on the first server (an Octavia load
        // balancer would spread it).
        const apiAssociation = new openstack.networking.FloatingIpAssociate(`${name}-api-fip-association`, {
            floatingIp: apiIp.address,
            portId: ports[0].id,
        }, { ...parent, dependsOn: [bootstrap] });
        const apiAddress = pulumi.all([apiIp.address, apiAssociation.id]).apply(([address]) => address);
        this.nomadAddress = pulumi.interpolate`https://${apiAddress}:${NOMAD_HTTP}`;
        this.consulAddress = pulumi.interpolate`https://${apiAddress}:${CONSUL_HTTPS}`;

        this.registerOutputs({
            nomadAddress: this.nomadAddress,
            consulAddress: this.consulAddress,
            serverAddresses: this.serverAddresses,
            bastionAddress: this.bastion.address,
        });
    }
}
