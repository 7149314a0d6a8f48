/**
 * The contract between the control-plane stack and the database stacks: the outputs the first
 * exports and the second reads through its StackReference. One list, so the two cannot drift.
 * A leaf module: stacks and components import it, it imports nothing of ours.
 */
import type * as pulumi from "@pulumi/pulumi";


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

/** How the contract's values are held: plain values (the offline placeholders), or Pulumi inputs (what a StackReference gives, what components take). */
export type Holding = "value" | "input";

/** A value of type T, held each way. */
interface HeldAs<T> {
    readonly value: T;
    readonly input: pulumi.Input<T>;
}

/** The control plane's outputs, each held as `H` says: `ControlPlaneOutputs<"input">` is what a database takes. */
export type ControlPlaneOutputs<H extends Holding = "value"> = {
    readonly [K in ControlPlaneOutputName]: HeldAs<K extends "serverAddresses" ? string[] : string>[H];
};

