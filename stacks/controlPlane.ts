import * as pulumi from "@pulumi/pulumi";
import { ControlPlaneConfig } from "../config";
import { ControlPlane } from "../components/controlPlane";
import { ControlPlaneOutputName } from "../contract/controlPlane";
import { StackDefinition } from "./types";

/** The control-plane stack: one ControlPlane, and the outputs every database stack reads. */
export function controlPlaneStack(cfg: ControlPlaneConfig): StackDefinition {
    const cp = new ControlPlane("controlplane", {
        namePrefix: `dbaas-${pulumi.getStack()}`,
        externalNetwork: cfg.externalNetwork,
        operatorCidrs: cfg.operatorCidrs,
        servers: cfg.servers,
        subnetCidr: cfg.subnetCidr,
        existingNetwork: cfg.existingNetwork,
        dnsNameservers: [...cfg.dnsNameservers],
        flavor: cfg.flavor,
        bastionFlavor: cfg.bastionFlavor,
        image: cfg.image,
        sshUser: cfg.sshUser,
        datacenter: cfg.datacenter,
        consulVersion: cfg.consulVersion,
        nomadVersion: cfg.nomadVersion,
    });
    // Typed against the contract: a missing or extra output is a compile error.
    const outputs: Record<ControlPlaneOutputName, pulumi.Input<unknown>> = {
        nomadAddress: cp.nomadAddress,
        consulAddress: cp.consulAddress,
        nomadRegion: "global",
        datacenter: cfg.datacenter,
        serverAddresses: cp.serverAddresses,
        networkId: cp.network.networkId,
        subnetId: cp.network.subnetId,
        subnetCidr: cp.network.subnetCidr,
        bastionAddress: cp.bastion.address,
        bastionSecurityGroupId: cp.bastion.securityGroupId,
        serverSecurityGroupId: cp.serverSecurityGroupId,
        sshUser: cfg.sshUser,
        consulVersion: cfg.consulVersion,
        nomadVersion: cfg.nomadVersion,
        keyPairName: cp.keyPairName,
        caCertPem: cp.ca.certPem,
        caPrivateKeyPem: pulumi.secret(cp.ca.privateKeyPem),
        sshPrivateKey: pulumi.secret(cp.sshPrivateKey),
        nomadToken: pulumi.secret(cp.nomadToken),
        consulToken: pulumi.secret(cp.consulToken),
        consulGossipKey: pulumi.secret(cp.consulGossipKey),
    };
    return { outputs, artifacts: cp.artifacts.all };
}
