/**
 * The contract between the control-plane stack and the database stacks: the outputs the first
 * exports and the second reads through its StackReference. One list, so the two cannot drift.
 *
 * `OFFLINE_CONTROL_PLANE_OUTPUTS` are the documented placeholder values the offline plan
 * (`npm run render`) gives a database stack's StackReference, so that a database config renders
 * on its own, without a control plane. Addresses come from the documentation ranges
 * (RFC 5737 / RFC 1918 examples); secret ones are obvious placeholders and stay `[secret]` in
 * every plan.
 */

/** Every output of the control-plane stack, and whether it is a secret. */
export const CONTROL_PLANE_OUTPUTS = {
    /** Nomad API (HTTPS, ACLs on), reachable from the operator CIDRs. */
    nomadAddress: { secret: false },
    /** Consul API (HTTPS, ACLs on), reachable from the operator CIDRs. */
    consulAddress: { secret: false },
    /** Nomad region of the control plane. */
    nomadRegion: { secret: false },
    /** Consul and Nomad datacenter. */
    datacenter: { secret: false },
    /** Fixed private addresses of the Consul/Nomad servers (agents join them). */
    serverAddresses: { secret: false },
    /** The platform network. */
    networkId: { secret: false },
    /** The platform subnet, where database nodes get their ports. */
    subnetId: { secret: false },
    /** The platform subnet's CIDR. */
    subnetCidr: { secret: false },
    /** The bastion's floating IP: the only SSH entry. */
    bastionAddress: { secret: false },
    /** Security group of the bastion (database nodes accept SSH from it only). */
    bastionSecurityGroupId: { secret: false },
    /** Security group of the Consul/Nomad servers (database nodes accept agent traffic from it). */
    serverSecurityGroupId: { secret: false },
    /** Login user of the platform's images. */
    sshUser: { secret: false },
    /** Consul version of the platform (agents run the same). */
    consulVersion: { secret: false },
    /** Nomad version of the platform (clients run the same). */
    nomadVersion: { secret: false },
    /** Name of the platform's Nova key pair. */
    keyPairName: { secret: false },
    /** PEM of the platform CA that signs Consul/Nomad TLS certificates. */
    caCertPem: { secret: false },
    /** The platform CA's private key: database stacks sign their agents' certificates with it. */
    caPrivateKeyPem: { secret: true },
    /** SSH private key of the platform (bastion and every server). */
    sshPrivateKey: { secret: true },
    /** Nomad management token (from the ACL bootstrap) for database stacks' Nomad provider. */
    nomadToken: { secret: true },
    /** Consul management token for database stacks' Consul provider. */
    consulToken: { secret: true },
    /** Consul gossip encryption key: agents need it to join. */
    consulGossipKey: { secret: true },
} as const;

/** Name of a control-plane output. */
export type ControlPlaneOutputName = keyof typeof CONTROL_PLANE_OUTPUTS;

/** The type of each control-plane output's value. */
export type ControlPlaneValues = { readonly [K in ControlPlaneOutputName]: K extends "serverAddresses" ? string[] : string };

/** Placeholder values a database stack's StackReference returns in the offline plan. */
export const OFFLINE_CONTROL_PLANE_OUTPUTS: Readonly<Record<ControlPlaneOutputName, { readonly value: unknown; readonly secret: boolean }>> = {
    nomadAddress: { value: "https://203.0.113.20:4646", secret: false },
    consulAddress: { value: "https://203.0.113.20:8501", secret: false },
    nomadRegion: { value: "global", secret: false },
    datacenter: { value: "dc1", secret: false },
    serverAddresses: { value: ["10.42.0.11", "10.42.0.12", "10.42.0.13"], secret: false },
    networkId: { value: "00000000-0000-4000-8000-0000000000a1", secret: false },
    subnetId: { value: "00000000-0000-4000-8000-0000000000a2", secret: false },
    subnetCidr: { value: "10.42.0.0/24", secret: false },
    bastionAddress: { value: "203.0.113.10", secret: false },
    bastionSecurityGroupId: { value: "00000000-0000-4000-8000-0000000000b1", secret: false },
    serverSecurityGroupId: { value: "00000000-0000-4000-8000-0000000000b2", secret: false },
    sshUser: { value: "debian", secret: false },
    consulVersion: { value: "1.20.2", secret: false },
    nomadVersion: { value: "1.9.4", secret: false },
    keyPairName: { value: "dbaas-platform", secret: false },
    caCertPem: { value: "-----BEGIN CERTIFICATE-----\nOFFLINE-PLACEHOLDER-CA\n-----END CERTIFICATE-----\n", secret: false },
    caPrivateKeyPem: { value: "MOCKSECRET-controlplane-ca-private-key", secret: true },
    sshPrivateKey: { value: "MOCKSECRET-controlplane-ssh-private-key", secret: true },
    nomadToken: { value: "MOCKSECRET-controlplane-nomad-token", secret: true },
    consulToken: { value: "MOCKSECRET-controlplane-consul-token", secret: true },
    consulGossipKey: { value: "MOCKSECRET-controlplane-consul-gossip-key", secret: true },
};
