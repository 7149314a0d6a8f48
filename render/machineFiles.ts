/**
 * The files each kind of machine receives over SSH (never in user data), as pure functions of
 * typed values. The same function builds the payload, with the secrets, and the reviewer's copy,
 * with every secret replaced by `[secret]` ({@link redactedValues}): the two cannot drift.
 */
import { cloudsYaml, CLOUDS_YAML_PATH } from "./clouds";
import { consulSecretConfig, nomadSecretConfig } from "./agents/secrets";
import { CONSUL_SECRETS_PATH, TLS_PATHS } from "./agents/paths";
import { FileDrop } from "./fileDrop";
import { jsonFile } from "./json";
import { REDACTED } from "./redacted";
import { TAKEOVER_TOKEN_PATH } from "./databaseNode";
import { COROSYNC_AUTHKEY_PATH, COROSYNC_CONF_PATH, PACEMAKER_AUTHKEY_PATH } from "./pacemaker/corosync";

/** A machine's files as a function of its values, and which of those values are secrets. */
export interface MachineFiles<V> {
    /** Builds what the machine receives from the values. */
    readonly build: (values: V) => FileDrop;
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
    return jsonFile(files.build(redactedValues(files, values)));
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

/** A file owned by consul (restarts consul when it changes). */
const consulFile = (path: string, content: string, mode: string) => ({ path, content, mode, owner: "consul", group: "consul", restart: ["consul"] });
/** A file owned by root. */
const rootFile = (path: string, content: string, mode: string, restart: string[] = []) => ({ path, content, mode, owner: "root", group: "root", restart });

/** The files of a control-plane server: Consul's and Nomad's secret configs and TLS material (each agent restarts when its files change). */
export const SERVER_FILES: MachineFiles<ServerFileValues> = {
    secretFields: ["consulGossipKey", "consulToken", "nomadGossipKey", "tlsKey"],
    build: (s) => ({
        files: [
            consulFile(CONSUL_SECRETS_PATH, jsonFile(consulSecretConfig({ gossipKey: s.consulGossipKey, managementToken: s.consulToken })), "0640"),
            consulFile(TLS_PATHS.consul.ca, s.ca, "0644"),
            consulFile(TLS_PATHS.consul.cert, s.tlsCert, "0644"),
            consulFile(TLS_PATHS.consul.key, s.tlsKey, "0600"),
            rootFile("/etc/nomad.d/secrets.json", jsonFile(nomadSecretConfig({ gossipKey: s.nomadGossipKey, consulToken: s.consulToken })), "0600", ["nomad"]),
            rootFile(TLS_PATHS.nomad.ca, s.ca, "0644", ["nomad"]),
            rootFile(TLS_PATHS.nomad.cert, s.tlsCert, "0644", ["nomad"]),
            rootFile(TLS_PATHS.nomad.key, s.tlsKey, "0600", ["nomad"]),
        ],
    }),
};

/** Where an earlier version left hacluster's password in clear: removed by the file drop. */
export const LEGACY_HACLUSTER_PASSWORD_PATH = "/etc/dbaas/hacluster.chpasswd";

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
    /** The cluster's corosync.conf (render/pacemaker/corosync.ts): the same on every node. */
    readonly corosyncConf: string;
    /** corosync's authkey, base64 (secret). */
    readonly corosyncAuthkey: string;
    /** Pacemaker's authkey, base64 (secret). */
    readonly pacemakerAuthkey: string;
}

/**
 * What a database node receives: the agents' clouds.yaml, Consul's and Nomad's secrets and TLS
 * material, the cluster's corosync.conf and authkeys (the same on every node: a new or replaced
 * node can join whichever it is; setup.sh reloads them, nothing restarts here), and hacluster's
 * password, fed to chpasswd and never written to disk. Consul restarts when its files change;
 * nomad is Pacemaker's and is never restarted here.
 */
export const DATABASE_NODE_FILES: MachineFiles<DatabaseNodeFileValues> = {
    secretFields: ["credentialSecret", "gossipKey", "consulToken", "haclusterPassword", "tlsKey", "nomadTakeoverToken", "corosyncAuthkey", "pacemakerAuthkey"],
    build: (s) => ({
        files: [
            rootFile(CLOUDS_YAML_PATH, cloudsYaml({ authUrl: s.authUrl, region: s.region, credentialId: s.credentialId, credentialSecret: s.credentialSecret }), "0600"),
            consulFile(CONSUL_SECRETS_PATH, jsonFile({ encrypt: s.gossipKey, acl: { tokens: { agent: s.consulToken, default: s.consulToken } } }), "0640"),
            consulFile(TLS_PATHS.consul.ca, s.ca, "0644"),
            rootFile("/etc/nomad.d/secrets.json", jsonFile({ consul: { token: s.consulToken } }), "0600"),
            rootFile(TLS_PATHS.nomad.ca, s.ca, "0644"),
            rootFile(TLS_PATHS.nomad.cert, s.tlsCert, "0644"),
            rootFile(TLS_PATHS.nomad.key, s.tlsKey, "0600"),
            rootFile(TAKEOVER_TOKEN_PATH, `${s.nomadTakeoverToken}\n`, "0600"),
            rootFile(COROSYNC_CONF_PATH, s.corosyncConf, "0644"),
            { ...rootFile(COROSYNC_AUTHKEY_PATH, s.corosyncAuthkey, "0400"), encoding: "base64" },
            { path: PACEMAKER_AUTHKEY_PATH, content: s.pacemakerAuthkey, mode: "0400", owner: "hacluster", group: "haclient", encoding: "base64" },
        ],
        // chpasswd reads "user:password" lines: hacluster's password, for pcs host auth.
        feeds: [{ command: "/usr/sbin/chpasswd", input: `hacluster:${s.haclusterPassword}\n` }],
        absent: [LEGACY_HACLUSTER_PASSWORD_PATH],
    }),
};
