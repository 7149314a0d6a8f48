/**
 * The documented placeholder values the offline plan gives a database stack's StackReference,
 * so that a database config renders on its own, without a control plane. Addresses come from
 * the documentation ranges (RFC 5737 / RFC 1918 examples); secret ones are obvious placeholders
 * and stay `[secret]` in every plan.
 */
import { CONTROL_PLANE_OUTPUTS, ControlPlaneOutputName, ControlPlaneOutputs } from "../contract/controlPlane";

/** Placeholder values of the control plane's outputs: secret ones are obvious placeholders. */
export const OFFLINE_CONTROL_PLANE_VALUES: ControlPlaneOutputs = {
    nomadAddress: "https://203.0.113.20:4646",
    consulAddress: "https://203.0.113.20:8501",
    nomadRegion: "global",
    datacenter: "dc1",
    serverAddresses: ["10.42.0.11", "10.42.0.12", "10.42.0.13"],
    networkId: "00000000-0000-4000-8000-0000000000a1",
    subnetId: "00000000-0000-4000-8000-0000000000a2",
    subnetCidr: "10.42.0.0/24",
    bastionAddress: "203.0.113.10",
    bastionSecurityGroupId: "00000000-0000-4000-8000-0000000000b1",
    serverSecurityGroupId: "00000000-0000-4000-8000-0000000000b2",
    sshUser: "debian",
    consulVersion: "1.20.2",
    nomadVersion: "1.9.4",
    keyPairName: "dbaas-platform",
    caCertPem: "-----BEGIN CERTIFICATE-----\nOFFLINE-PLACEHOLDER-CA\n-----END CERTIFICATE-----\n",
    caPrivateKeyPem: "MOCKSECRET-controlplane-ca-private-key",
    sshPrivateKey: "MOCKSECRET-controlplane-ssh-private-key",
    nomadToken: "MOCKSECRET-controlplane-nomad-token",
    consulToken: "MOCKSECRET-controlplane-consul-token",
    consulGossipKey: "MOCKSECRET-controlplane-consul-gossip-key",
};

/** What a database stack's StackReference returns in the offline plan: each placeholder, secret where the contract says. */
export const OFFLINE_CONTROL_PLANE_OUTPUTS: Readonly<Record<ControlPlaneOutputName, { readonly value: unknown; readonly secret: boolean }>> = Object.fromEntries(
    (Object.keys(CONTROL_PLANE_OUTPUTS) as ControlPlaneOutputName[]).map((key) => [key, { value: OFFLINE_CONTROL_PLANE_VALUES[key], secret: CONTROL_PLANE_OUTPUTS[key].secret }]),
) as Record<ControlPlaneOutputName, { readonly value: unknown; readonly secret: boolean }>;
