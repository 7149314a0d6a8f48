import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import * as consul from "@pulumi/consul";
import * as random from "@pulumi/random";
import * as nomad from "../nomad";
import { agentPolicyRules } from "../render/agents/consulPolicy";
import { takeoverPolicyRules } from "../render/agents/nomadPolicy";
import { AUTHKEY_BYTES } from "../render/pacemaker/corosync";
import { COMPONENT_TYPES } from "../common/tokens";

/** Arguments of {@link AgentIdentity}. */
export interface AgentIdentityArgs {
    /** The database's name: names the credential, the policy and the token. */
    readonly databaseName: string;
    /** The cluster's node names (the Consul policy lets each write its own node). */
    readonly nodeNames: readonly string[];
    /** Consul's HTTPS API address (https://host:port). */
    readonly consulAddress: pulumi.Input<string>;
    /** The Consul datacenter. */
    readonly datacenter: pulumi.Input<string>;
    /** A Consul management token (secret). */
    readonly consulToken: pulumi.Input<string>;
    /** The platform CA that signed Consul's API certificate. */
    readonly caCertPem: pulumi.Input<string>;
    /** The Nomad provider of the database stack (the takeover token is created through it). */
    readonly nomadProvider: nomad.Provider;
    /** The parent its resources had before this component existed (an alias, so none is replaced). */
    readonly formerParent?: pulumi.Resource;
}

/**
 * Who the cluster's agents are: an OpenStack application credential (restricted) for the
 * resource and fence agents, a Consul ACL policy and token for the Consul and Nomad agents, a
 * Nomad token for the takeover after a failover, hacluster's password for pcs, and the corosync
 * and Pacemaker authkeys (the stack's, so that any new or replaced node can join). Every secret
 * is a Pulumi secret; they reach the nodes over SSH.
 */
export class AgentIdentity extends pulumi.ComponentResource {
    /** The application credential's id. */
    public readonly credentialId: pulumi.Output<string>;
    /** The application credential's secret (secret). */
    public readonly credentialSecret: pulumi.Output<string>;
    /** The agents' Consul token (secret). */
    public readonly consulToken: pulumi.Output<string>;
    /** hacluster's password (secret). */
    public readonly haclusterPassword: pulumi.Output<string>;
    /** corosync's authkey, base64 of 256 random bytes (secret). */
    public readonly corosyncAuthkey: pulumi.Output<string>;
    /** Pacemaker's authkey, base64 of 256 random bytes (secret). */
    public readonly pacemakerAuthkey: pulumi.Output<string>;
    /** The Nomad token of the takeover script: may reschedule this database's allocations (secret). */
    public readonly nomadTakeoverToken: pulumi.Output<string>;
    /** The Consul provider (management token) the policy and token were made through. */
    public readonly consulProvider: consul.Provider;
    /** The agents' Consul ACL rules (JSON, no secret). */
    public readonly consulPolicyRules: string;

    constructor(name: string, args: AgentIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.agentIdentity, name, {}, opts);
        const parent = { parent: this, ...(args.formerParent ? { aliases: [{ parent: args.formerParent }] } : {}) };

        // The agents' OpenStack credential: only what they need, written over SSH.
        const credential = new openstack.identity.ApplicationCredential(`${name}-agents`, {
            name: `${args.databaseName}-cluster-agents`,
            description: `cloud-dbaas: Pacemaker resource and fence agents of ${args.databaseName}`,
            unrestricted: false,
        }, { ...parent, additionalSecretOutputs: ["secret"] });
        this.credentialId = credential.id;
        this.credentialSecret = pulumi.secret(credential.secret);

        // Consul: a policy and token for this cluster's agents only.
        const provider = new consul.Provider(`${name}-consul`, {
            address: pulumi.output(args.consulAddress).apply((a) => a.replace(/^https:\/\//, "")),
            scheme: "https",
            datacenter: args.datacenter,
            token: pulumi.secret(args.consulToken),
            caPem: args.caCertPem,
        }, parent);
        this.consulProvider = provider;
        this.consulPolicyRules = agentPolicyRules({ nodes: args.nodeNames, service: args.databaseName });
        const policy = new consul.AclPolicy(`${name}-agents`, {
            name: `dbaas-${args.databaseName}-agents`,
            description: `cloud-dbaas: agents of database ${args.databaseName}`,
            rules: this.consulPolicyRules,
            datacenters: [args.datacenter],
        }, { ...parent, provider });
        const token = new consul.AclToken(`${name}-agents`, {
            description: `cloud-dbaas: agents of database ${args.databaseName}`,
            policies: [policy.name],
        }, { ...parent, provider });
        this.consulToken = pulumi.secret(consul.getAclTokenSecretIdOutput({ accessorId: token.accessorId }, { parent: this, provider }).secretId);

        const hacluster = new random.RandomPassword(`${name}-hacluster`, { length: 32, special: false }, { ...parent, additionalSecretOutputs: ["result"] });
        this.haclusterPassword = pulumi.secret(hacluster.result);
        // Cluster keys (new: no former parent). Changing them needs every node restarted: never rotated by the program.
        const authkey = (key: string) => pulumi.secret(new random.RandomBytes(`${name}-${key}-authkey`, { length: AUTHKEY_BYTES }, { parent: this, additionalSecretOutputs: ["base64", "hex"] }).base64);
        this.corosyncAuthkey = authkey("corosync");
        this.pacemakerAuthkey = authkey("pacemaker");

        // Nomad: what the takeover script may do after a failover (new: no former parent).
        const takeoverPolicy = new nomad.AclPolicy(`${name}-takeover`, {
            name: `dbaas-${args.databaseName}-takeover`,
            description: `cloud-dbaas: ${args.databaseName}'s nodes reschedule its engine after a failover`,
            rulesHcl: takeoverPolicyRules(),
        }, { parent: this, provider: args.nomadProvider });
        const takeoverToken = new nomad.AclToken(`${name}-takeover`, {
            type: "client",
            name: `dbaas-${args.databaseName}-takeover`,
            policies: [takeoverPolicy.name],
        }, { parent: this, provider: args.nomadProvider });
        this.nomadTakeoverToken = pulumi.secret(takeoverToken.secretId);

        this.registerOutputs({ credentialId: this.credentialId });
    }
}
