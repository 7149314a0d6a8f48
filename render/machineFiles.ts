/**
 * The files each kind of machine receives over SSH (never in user data), as pure functions of
 * typed values. The same function builds the payload, with the secrets, and the reviewer's copy,
 * with every secret replaced by `[secret]` ({@link redactedValues}): the two cannot drift.
 */
import { cloudsYaml, CLOUDS_YAML_PATH } from "./clouds";
import { consulSecretConfig, nomadSecretConfig } from "./agents/secrets";
import { TLS_PATHS } from "./agents/paths";
import { DroppedFile } from "./fileDrop";
import { jsonFile } from "./json";
import { REDACTED } from "./redacted";
import { TAKEOVER_TOKEN_PATH } from "./databaseNode";

/** A machine's files as a function of its values, and which of those values are secrets. */
export interface MachineFiles<V> {
    /** Builds the files from the values. */
    readonly build: (values: V) => DroppedFile[];
    /** The fields of `V` that hold secrets. */
    readonly secretFields: readonly (keyof V)[];
}

/** The values with every secret field replaced by `[secret]`. */
export function redactedValues<V>(files: MachineFiles<V>, values: V): V {
    const copy = { ...values };
    for (const field of files.secretFields) (copy as Record<keyof V, unknown>)[field] = REDACTED;
    return copy;
}

/** The reviewer's copy of a machine's files: what the offline plan writes as `ssh/<machine>.json`. */
export function reviewerCopy<V>(files: MachineFiles<V>, values: V): string {
    return jsonFile({ files: files.build(redactedValues(files, values)) });
}

/** What a Consul + Nomad server of the control plane receives. */
export interface ServerFileValues {
    /** Consul's gossip key (secret). */
    readonly consulGossipKey: string;
    /** Consul's initial management token (secret). */
    readonly consulToken: string;
    /** Nomad's gossip key (secret). */
    readonly nomadGossipKey: string;
    /** The server's TLS private key (secret). */
    readonly tlsKey: string;
    /** The server's TLS certificate. */
    readonly tlsCert: string;
    /** The platform CA's certificate. */
    readonly ca: string;
}

/** The files of a control-plane server: Consul's and Nomad's secret configs and TLS material. */
export const SERVER_FILES: MachineFiles<ServerFileValues> = {
    secretFields: ["consulGossipKey", "consulToken", "nomadGossipKey", "tlsKey"],
    build: (s) => [
        { path: "/etc/consul.d/secrets.json", content: jsonFile(consulSecretConfig({ gossipKey: s.consulGossipKey, managementToken: s.consulToken })), mode: "0640", owner: "consul", group: "consul" },
        { path: TLS_PATHS.consul.ca, content: s.ca, mode: "0644", owner: "consul", group: "consul" },
        { path: TLS_PATHS.consul.cert, content: s.tlsCert, mode: "0644", owner: "consul", group: "consul" },
        { path: TLS_PATHS.consul.key, content: s.tlsKey, mode: "0600", owner: "consul", group: "consul" },
        { path: "/etc/nomad.d/secrets.json", content: jsonFile(nomadSecretConfig({ gossipKey: s.nomadGossipKey, consulToken: s.consulToken })), mode: "0600", owner: "root", group: "root" },
        { path: TLS_PATHS.nomad.ca, content: s.ca, mode: "0644", owner: "root", group: "root" },
        { path: TLS_PATHS.nomad.cert, content: s.tlsCert, mode: "0644", owner: "root", group: "root" },
        { path: TLS_PATHS.nomad.key, content: s.tlsKey, mode: "0600", owner: "root", group: "root" },
    ],
};

/** Where a database node reads hacluster's password ("user:password", for chpasswd). */
export const HACLUSTER_PASSWORD_PATH = "/etc/dbaas/hacluster.chpasswd";

/** What a database cluster node receives. */
export interface DatabaseNodeFileValues {
    /** The agents' application credential id. */
    readonly credentialId: string;
    /** The agents' application credential secret (secret). */
    readonly credentialSecret: string;
    /** Keystone URL. */
    readonly authUrl: string;
    /** OpenStack region. */
    readonly region: string;
    /** Consul's gossip key (secret). */
    readonly gossipKey: string;
    /** The cluster agents' Consul token (secret). */
    readonly consulToken: string;
    /** hacluster's password (secret). */
    readonly haclusterPassword: string;
    /** The node's Nomad TLS private key (secret). */
    readonly tlsKey: string;
    /** The node's Nomad TLS certificate. */
    readonly tlsCert: string;
    /** The platform CA's certificate. */
    readonly ca: string;
    /** The takeover script's Nomad token (secret). */
    readonly nomadTakeoverToken: string;
}

/** The files of a database node: the agents' clouds.yaml, Consul's and Nomad's secrets and TLS material, hacluster's password. */
export const DATABASE_NODE_FILES: MachineFiles<DatabaseNodeFileValues> = {
    secretFields: ["credentialSecret", "gossipKey", "consulToken", "haclusterPassword", "tlsKey", "nomadTakeoverToken"],
    build: (s) => [
        { path: CLOUDS_YAML_PATH, content: cloudsYaml({ authUrl: s.authUrl, region: s.region, credentialId: s.credentialId, credentialSecret: s.credentialSecret }), mode: "0600", owner: "root", group: "root" },
        { path: "/etc/consul.d/secrets.json", content: jsonFile({ encrypt: s.gossipKey, acl: { tokens: { agent: s.consulToken, default: s.consulToken } } }), mode: "0640", owner: "consul", group: "consul" },
        { path: TLS_PATHS.consul.ca, content: s.ca, mode: "0644", owner: "consul", group: "consul" },
        { path: "/etc/nomad.d/secrets.json", content: jsonFile({ consul: { token: s.consulToken } }), mode: "0600", owner: "root", group: "root" },
        { path: TLS_PATHS.nomad.ca, content: s.ca, mode: "0644", owner: "root", group: "root" },
        { path: TLS_PATHS.nomad.cert, content: s.tlsCert, mode: "0644", owner: "root", group: "root" },
        { path: TLS_PATHS.nomad.key, content: s.tlsKey, mode: "0600", owner: "root", group: "root" },
        { path: TAKEOVER_TOKEN_PATH, content: `${s.nomadTakeoverToken}\n`, mode: "0600", owner: "root", group: "root" },
        // chpasswd reads "user:password" lines: hacluster's password, for pcs host auth.
        { path: HACLUSTER_PASSWORD_PATH, content: `hacluster:${s.haclusterPassword}\n`, mode: "0600", owner: "root", group: "root" },
    ],
};
